using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Messaging.Inbox;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Consumers;

/// <summary>Keeps the local directory of users (owner by e-mail, the owner's team) as identity describes them.</summary>
public sealed class UserDirectoryConsumer(OpportunityDbContext db, ILogger<UserDirectoryConsumer> logger)
    : IdempotentConsumer<UserChanged, OpportunityDbContext>(db, logger)
{
    protected override async Task HandleAsync(UserChanged message, ConsumeContext<UserChanged> context)
    {
        var user = await Db.Directory.SingleOrDefaultAsync(u => u.UserId == message.UserId, context.CancellationToken);
        if (user is null)
        {
            Db.Directory.Add(new DirectoryUser
            {
                UserId = message.UserId, OrganizationId = message.OrganizationId, TeamId = message.TeamId, Role = message.Role,
                Name = message.Name, Email = message.Email.ToLowerInvariant(), Active = message.Active,
            });
            return;
        }

        user.TeamId = message.TeamId;
        user.Role = message.Role;
        user.Name = message.Name;
        user.Email = message.Email.ToLowerInvariant();
        user.Active = message.Active;
    }
}
