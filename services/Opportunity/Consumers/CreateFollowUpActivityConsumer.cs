using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Messaging.Inbox;
using Pipeline.Opportunity.Apis;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Consumers;

/// <summary>
/// Creates the follow-up activity automation asks for. A redelivered command is stopped by the inbox; a second
/// command for the same follow-up (same <c>CorrelationId</c>, new <c>EventId</c>: automation retried after a
/// crash) is stopped by the unique (organisation, correlation) index, so the deal gets one activity either way.
/// </summary>
public sealed partial class CreateFollowUpActivityConsumer(OpportunityDbContext db, TimeProvider clock, ILogger<CreateFollowUpActivityConsumer> logger)
    : IdempotentConsumer<CreateFollowUpActivity, OpportunityDbContext>(db, logger)
{
    public const string DefaultType = "task";

    private readonly ILogger _logger = logger;

    protected override async Task HandleAsync(CreateFollowUpActivity message, ConsumeContext<CreateFollowUpActivity> context)
    {
        var cancellationToken = context.CancellationToken;
        // Scoped to the command's organisation by the base class: another organisation's deal is not found either.
        var opportunity = await Db.Opportunities.AsNoTracking().SingleOrDefaultAsync(o => o.Id == message.OpportunityId, cancellationToken);
        if (opportunity is null)
        {
            LogUnknownOpportunity(_logger, message.OpportunityId, message.OrganizationId, message.CorrelationId);
            return;
        }

        // A user deactivated since the rule fired would never see the task: it goes to the deal's owner instead.
        var assignee = message.AssigneeId;
        if (!await Db.Directory.AnyAsync(u => u.UserId == assignee && u.Active, cancellationToken))
        {
            LogAssignedToOwner(_logger, message.AssigneeId, opportunity.Id);
            assignee = opportunity.OwnerId;
        }

        var subject = string.IsNullOrWhiteSpace(message.Subject) ? "Follow up" : message.Subject.Trim();
        var activity = new SalesActivity
        {
            Id = Guid.NewGuid(),
            OrganizationId = opportunity.OrganizationId,
            OpportunityId = opportunity.Id,
            Type = ActivityTypes.All.Contains(message.ActivityType) ? message.ActivityType : DefaultType,
            Subject = subject.Length > ActivitiesApi.SubjectMaxLength ? subject[..ActivitiesApi.SubjectMaxLength] : subject,
            DueAt = message.DueAt?.ToUniversalTime(),
            AssigneeId = assignee,
            CreatedAt = clock.GetUtcNow(),
            CreatedBy = message.ActorId,
            CorrelationId = message.CorrelationId,
        };

        // ON CONFLICT rather than look-then-insert: two commands of one follow-up handled at the same moment
        // serialise on the index, and the second creates nothing instead of failing into the error queue.
        var created = await Db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO activities (id, organization_id, opportunity_id, type, subject, due_at, assignee_id, done, created_at, created_by, correlation_id)
            VALUES ({activity.Id}, {activity.OrganizationId}, {activity.OpportunityId}, {activity.Type}, {activity.Subject}, {activity.DueAt},
                    {activity.AssigneeId}, false, {activity.CreatedAt}, {activity.CreatedBy}, {activity.CorrelationId})
            ON CONFLICT (organization_id, correlation_id) WHERE correlation_id IS NOT NULL DO NOTHING
            """, cancellationToken);
        if (created == 0)
        {
            LogAlreadyCreated(_logger, message.CorrelationId, opportunity.Id);
            return;
        }

        Db.Publish(ActivityEvents.Scheduled(activity, message.ActorId));
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Follow-up {CorrelationId} not created: opportunity {OpportunityId} is unknown in organisation {OrganizationId}")]
    private static partial void LogUnknownOpportunity(ILogger logger, Guid opportunityId, Guid organizationId, Guid correlationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Follow-up {CorrelationId} on opportunity {OpportunityId} already exists; nothing created")]
    private static partial void LogAlreadyCreated(ILogger logger, Guid correlationId, Guid opportunityId);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Follow-up assignee {AssigneeId} is not an active user; assigned to the owner of opportunity {OpportunityId}")]
    private static partial void LogAssignedToOwner(ILogger logger, string assigneeId, Guid opportunityId);
}
