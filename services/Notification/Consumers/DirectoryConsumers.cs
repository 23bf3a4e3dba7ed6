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
            // Inserted first if new, so that two copies handled at once by two replicas update one row.
            await work.Db.Database.ExecuteSqlAsync($"""
                INSERT INTO directory_users (organization_id, user_id, role, name, email, active)
                VALUES ({message.OrganizationId}, {message.UserId}, {message.Role}, {message.Name}, {message.Email}, false) ON CONFLICT DO NOTHING
                """, context.CancellationToken);
            var user = await work.Db.Directory.SingleAsync(u => u.UserId == message.UserId, context.CancellationToken);
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

    /// <summary>Inserted first if new: the scheduling and the completion, handled at once by two replicas, update one row.</summary>
    private async Task<AssignedActivity> FindOrAddAsync(Guid activityId, Guid opportunityId, CancellationToken cancellationToken)
    {
        await work.Db.Database.ExecuteSqlAsync($"""
            INSERT INTO assigned_activities (organization_id, activity_id, opportunity_id, assignee_id, type, subject)
            VALUES ({work.Db.Tenant.OrganizationId}, {activityId}, {opportunityId}, '', '', '') ON CONFLICT DO NOTHING
            """, cancellationToken);
        return await work.Db.Activities.SingleAsync(a => a.ActivityId == activityId, cancellationToken);
    }
}
