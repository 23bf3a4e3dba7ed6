using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Notification.Infrastructure;
using Pipeline.Notification.Streaming;
using Pipeline.Notification.Webhooks;

namespace Pipeline.Notification.Domain;

/// <summary>What an event says about a deal; null where it says nothing.</summary>
public sealed record DealFacts(
    string? OwnerId = null, Guid? TeamId = null, Guid? PipelineId = null, Guid? StageId = null, string? Status = null, string? Title = null);

/// <summary>The stream's <c>opportunity</c> event (SPEC §5).</summary>
public sealed record DealChangeView(Guid OpportunityId, Guid? PipelineId, Guid? StageId, string Status, long Version, string Change);

/// <summary>
/// A change to a deal: updates who may read it (in version order), tells its readers' open streams, and records a
/// delivery for each webhook subscription that asked for the event.
/// </summary>
public sealed class DealChanges(NotificationDbContext db, StreamJournal stream, WebhookDeliveries webhooks)
{
    public async Task ApplyAsync(IntegrationMessage message, Guid opportunityId, long? version, DealFacts facts, CancellationToken cancellationToken)
    {
        // Inserted first if new, then read under its row lock: two events of one deal handled at once by two replicas
        // apply one after the other, each seeing the other's version.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO deal_readers (organization_id, opportunity_id, status, version)
            VALUES ({db.Tenant.OrganizationId}, {opportunityId}, {DealStatus.Open}, 0) ON CONFLICT DO NOTHING
            """, cancellationToken);
        var deal = await db.Deals.FromSql($"SELECT * FROM deal_readers WHERE opportunity_id = {opportunityId} FOR UPDATE")
            .SingleAsync(cancellationToken);

        // An opportunity event newer than what is known updates the deal; an older one (late on the way) does not.
        // Quote events carry no version: they only fill in what is not known yet.
        var newer = version is { } v ? v > deal.Version : deal.OwnerId is null;
        if (newer)
        {
            deal.OwnerId = facts.OwnerId ?? deal.OwnerId;
            deal.TeamId = facts.OwnerId is not null ? facts.TeamId : deal.TeamId;
            deal.PipelineId = facts.PipelineId ?? deal.PipelineId;
            deal.StageId = facts.StageId ?? deal.StageId;
            deal.Status = facts.Status ?? deal.Status;
            deal.Title = facts.Title ?? deal.Title;
            deal.Version = version ?? deal.Version;
        }

        var change = new DealChangeView(
            opportunityId, facts.PipelineId ?? deal.PipelineId, facts.StageId ?? deal.StageId, facts.Status ?? deal.Status, version ?? deal.Version,
            message.GetType().Name);
        stream.Add(new PendingStreamItem(StreamEventTypes.Opportunity, JsonSerializer.Serialize(change, Json.Options), OwnerId: deal.OwnerId, TeamId: deal.TeamId));
        await webhooks.AddForEventAsync(message, cancellationToken);
    }
}
