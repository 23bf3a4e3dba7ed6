using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Messaging;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Infrastructure;

namespace Pipeline.Reporting.Projections;

/// <summary>
/// Applies an event about a deal: records it in the deal's log, then recomputes the deal's read model from the
/// whole log, in every live generation (the one readers use, and the one a rebuild is filling). Deals are
/// serialised with an advisory lock, so two events of one deal handled at once cannot both compute from a log
/// missing the other.
/// </summary>
public sealed class DealProjection(ReportingDbContext db, ProjectionMetrics metrics, TimeProvider clock)
{
    public async Task ApplyAsync(IntegrationMessage message, Guid opportunityId, CancellationToken cancellationToken)
    {
        metrics.RecordLag(clock.GetUtcNow() - message.OccurredAt);
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock({LockKey(opportunityId)})", cancellationToken);
        var version = message is OpportunityEvent versioned ? versioned.Version : 0;
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO deal_events (event_id, organization_id, opportunity_id, version, type, body, occurred_at)
            VALUES ({message.EventId}, {message.OrganizationId}, {opportunityId}, {version}, {message.GetType().Name},
                    {JsonSerializer.Serialize(message, message.GetType(), MessageSerialization.Options)}, {message.OccurredAt})
            ON CONFLICT DO NOTHING
            """, cancellationToken);

        var state = await ProjectionStates.ShareAsync(db, message.OrganizationId, cancellationToken);
        var log = await LoadLogAsync(db, [opportunityId], cancellationToken);
        foreach (var generation in new[] { state.ActiveGeneration, state.BuildingGeneration }.OfType<int>())
        {
            await ReplaceAsync(db, message.OrganizationId, generation, [opportunityId], log, cancellationToken);
        }
    }

    /// <summary>
    /// Recomputes the read models of <paramref name="opportunities"/> in <paramref name="generation"/> from their logs.
    /// A deal's row is updated in place, and only in the columns that changed: the database derives the report
    /// rollups from those changes, so a change that moves no figure (a stage move between two stages of the same
    /// probability) does not touch the rollups other deals' projections also write. The deals are saved first, then
    /// their stays rewritten in one statement, from which the database derives each deal's path through the stages
    /// once (see the StageRollups migration).
    /// </summary>
    public static async Task ReplaceAsync(
        ReportingDbContext db, Guid organizationId, int generation, IReadOnlyCollection<Guid> opportunities,
        ILookup<Guid, IntegrationMessage> log, CancellationToken cancellationToken)
    {
        var existing = await db.Deals.Where(d => d.Generation == generation && opportunities.Contains(d.OpportunityId))
            .ToDictionaryAsync(d => d.OpportunityId, cancellationToken);
        var stays = new List<StageInterval>();
        foreach (var opportunityId in opportunities)
        {
            var projection = DealProjector.Project(organizationId, generation, opportunityId, log[opportunityId]);
            var current = existing.GetValueOrDefault(opportunityId);
            if (projection is null)
            {
                if (current is not null)
                {
                    db.Deals.Remove(current);
                }

                continue;
            }

            if (current is null)
            {
                db.Deals.Add(projection.Deal);
            }
            else
            {
                db.Entry(current).CurrentValues.SetValues(projection.Deal);
            }

            stays.AddRange(projection.Intervals);
        }

        await db.SaveChangesAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH replaced AS (
                DELETE FROM stage_intervals
                WHERE organization_id = {organizationId} AND generation = {generation} AND opportunity_id = ANY({opportunities.ToArray()}))
            INSERT INTO stage_intervals (organization_id, generation, opportunity_id, pipeline_id, stage_id, entered_at, exited_at, exit)
            SELECT {organizationId}, {generation}, s.* FROM unnest(
                {stays.Select(s => s.OpportunityId).ToArray()}, {stays.Select(s => s.PipelineId).ToArray()}, {stays.Select(s => s.StageId).ToArray()},
                {stays.Select(s => s.EnteredAt).ToArray()}, {stays.Select(s => s.ExitedAt).ToArray()}, {stays.Select(s => s.Exit).ToArray()}) AS s
            """, cancellationToken);
    }

    public static async Task<ILookup<Guid, IntegrationMessage>> LoadLogAsync(
        ReportingDbContext db, IReadOnlyCollection<Guid> opportunities, CancellationToken cancellationToken)
    {
        var rows = await db.DealEvents.AsNoTracking().Where(e => opportunities.Contains(e.OpportunityId))
            .Select(e => new { e.OpportunityId, e.Type, e.Body }).ToListAsync(cancellationToken);
        return rows
            .Select(r => (r.OpportunityId, Message: Deserialize(r.Type, r.Body)))
            .Where(r => r.Message is not null)
            .ToLookup(r => r.OpportunityId, r => r.Message!);
    }

    private static IntegrationMessage? Deserialize(string type, string body) =>
        MessageSerialization.ResolveType($"Pipeline.Contracts.{type}") is { } clrType
            ? (IntegrationMessage?)JsonSerializer.Deserialize(body, clrType, MessageSerialization.Options)
            : null;

    private static long LockKey(Guid opportunityId) => BitConverter.ToInt64(opportunityId.ToByteArray(), 0);
}

/// <summary>How far behind the events the reports are: the time from an event's change to its projection.</summary>
public sealed class ProjectionMetrics
{
    private readonly Histogram<double> _lag;

    public ProjectionMetrics(IMeterFactory meters) =>
        _lag = meters.Create("Pipeline.Reporting").CreateHistogram<double>(
            "pipeline.reporting.projection_lag", "s", "Time from a change in the opportunity service to the reports reflecting it.");

    public void RecordLag(TimeSpan lag) => _lag.Record(Math.Max(0, lag.TotalSeconds));
}

public static class ProjectionStates
{
    /// <summary>The organisation's projection state, created at its first event.</summary>
    public static async Task<ProjectionState> EnsureAsync(ReportingDbContext db, Guid organizationId, CancellationToken cancellationToken)
    {
        await CreateIfMissingAsync(db, organizationId, cancellationToken);
        return await db.ProjectionStates.SingleAsync(s => s.OrganizationId == organizationId, cancellationToken);
    }

    /// <summary>
    /// The organisation's projection state, read-only and locked FOR SHARE until the transaction ends: events of
    /// many deals are projected side by side, while a rebuild changing generations waits for those in flight, so
    /// none of them misses the generation being built. (Writing the state on every event would serialise them all.)
    /// Read first, since the row exists for every event but an organisation's very first: one round trip per event.
    /// </summary>
    public static async Task<ProjectionState> ShareAsync(ReportingDbContext db, Guid organizationId, CancellationToken cancellationToken)
    {
        Task<ProjectionState?> ReadSharedAsync() => db.ProjectionStates
            .FromSqlInterpolated($"SELECT * FROM projection_states WHERE organization_id = {organizationId} FOR SHARE")
            .AsNoTracking().SingleOrDefaultAsync(cancellationToken);

        if (await ReadSharedAsync() is { } state)
        {
            return state;
        }

        await CreateIfMissingAsync(db, organizationId, cancellationToken);
        return (await ReadSharedAsync())!;
    }

    private static Task CreateIfMissingAsync(ReportingDbContext db, Guid organizationId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO projection_states (organization_id, currency, active_generation) VALUES ({organizationId}, 'EUR', 1) ON CONFLICT DO NOTHING",
            cancellationToken);
}
