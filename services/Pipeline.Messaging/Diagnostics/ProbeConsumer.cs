using MassTransit;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Messaging.Inbox;

namespace Pipeline.Messaging.Diagnostics;

/// <summary>Records each probe once, whatever the number of deliveries.</summary>
public sealed class ProbeConsumer<TContext>(TContext db, ILogger<ProbeConsumer<TContext>> logger)
    : IdempotentConsumer<ProbeSent, TContext>(db, logger)
    where TContext : ServiceDbContext
{
    protected override Task HandleAsync(ProbeSent message, ConsumeContext<ProbeSent> context)
    {
        Db.Set<ProbeReceipt>().Add(new ProbeReceipt
        {
            OrganizationId = message.OrganizationId,
            ProbeId = message.ProbeId,
            SentBy = message.SentBy,
            SentAt = message.OccurredAt,
            ReceivedAt = DateTimeOffset.UtcNow,
        });
        return Task.CompletedTask;
    }
}
