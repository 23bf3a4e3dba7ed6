using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Notification.Domain;

namespace Pipeline.Notification.Consumers;

/// <summary>Keeps the local directory (who is in which team, with which role and address) as identity describes it.</summary>
public sealed class UserDirectoryConsumer(UnitOfWork work, ILogger<UserDirectoryConsumer> logger) : IConsumer<UserChanged>
{
    public Task Consume(ConsumeContext<UserChanged> context) =>
        work.HandleOnceAsync(nameof(UserDirectoryConsumer), context.Message, logger, async () =>
        {
            var message = context.Message;
            var user = await work.Db.Directory.SingleOrDefaultAsync(u => u.UserId == message.UserId, context.CancellationToken);
            if (user is null)
            {
                user = new DirectoryUser { UserId = message.UserId, Role = message.Role, Name = message.Name, Email = message.Email };
                work.Db.Directory.Add(user);
            }

            user.TeamId = message.TeamId;
            user.Role = message.Role;
            user.Name = message.Name;
            user.Email = message.Email;
            user.Active = message.Active;
        }, context.CancellationToken);
}

/// <summary>Keeps each user's activities, for the daily digest of the overdue ones.</summary>
public sealed class ActivityConsumer(UnitOfWork work, ILogger<ActivityConsumer> logger) : IConsumer<ActivityScheduled>, IConsumer<ActivityCompleted>
{
    public Task Consume(ConsumeContext<ActivityScheduled> context) =>
        work.HandleOnceAsync(nameof(ActivityConsumer), context.Message, logger, async () =>
        {
            var message = context.Message;
            var activity = await FindOrAddAsync(message.ActivityId, message.OpportunityId, context.CancellationToken);
            activity.AssigneeId = message.AssigneeId;
            activity.Type = message.Type;
            activity.Subject = message.Subject;
            activity.DueAt = message.DueAt;
        }, context.CancellationToken);

    public Task Consume(ConsumeContext<ActivityCompleted> context) =>
        work.HandleOnceAsync(nameof(ActivityConsumer), context.Message, logger, async () =>
        {
            var message = context.Message;
            var activity = await FindOrAddAsync(message.ActivityId, message.OpportunityId, context.CancellationToken);
            activity.AssigneeId = message.AssigneeId;
            activity.Type = message.Type;
            activity.CompletedAt = message.CompletedAt;
        }, context.CancellationToken);

    private async Task<AssignedActivity> FindOrAddAsync(Guid activityId, Guid opportunityId, CancellationToken cancellationToken)
    {
        var activity = await work.Db.Activities.SingleOrDefaultAsync(a => a.ActivityId == activityId, cancellationToken);
        if (activity is null)
        {
            activity = new AssignedActivity { ActivityId = activityId, OpportunityId = opportunityId };
            work.Db.Activities.Add(activity);
        }

        return activity;
    }
}
