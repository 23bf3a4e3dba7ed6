using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Messaging;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Infrastructure;

namespace Pipeline.Reporting.Projections;

/// <summary>An event about a deal as it arrives: the message, and the deal it is about.</summary>
public readonly record struct IncomingDealEvent(IntegrationMessage Message, Guid OpportunityId);

/// <summary>
/// Applies events about deals of one organisation: records them in their deals' logs, then recomputes each deal's
/// read model from its whole log, in every live generation (the one readers use, and the one a rebuild is
/// filling). Deals are serialised with advisory locks, so two events of one deal handled at once cannot both
/// compute from a log missing the other; the locks are taken in one order, so two batches sharing deals wait
/// for each other rather than deadlock.
/// </summary>
public sealed class DealProjection(ReportingDbContext db, ProjectionMetrics metrics, TimeProvider clock)
{
    public async Task ApplyAsync(Guid organizationId, IReadOnlyCollection<IncomingDealEvent> events, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var incoming in events)
        {
            metrics.RecordLag(now - incoming.Message.OccurredAt);
        }

        var deals = events.Select(e => e.OpportunityId).Distinct().ToArray();
        var lockKeys = deals.Select(LockKey).Distinct().Order().ToArray();
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(k) FROM unnest({lockKeys}) AS k", cancellationToken);
        var logged = events.DistinctBy(e => e.Message.EventId).ToList();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO deal_events (event_id, organization_id, opportunity_id, version, type, body, occurred_at)
            SELECT e.event_id, {organizationId}, e.opportunity_id, e.version, e.type, e.body, e.occurred_at
            FROM unnest({logged.Select(e => e.Message.EventId).ToArray()}, {logged.Select(e => e.OpportunityId).ToArray()},
                        {logged.Select(e => e.Message is OpportunityEvent versioned ? versioned.Version : 0L).ToArray()},
                        {logged.Select(e => e.Message.GetType().Name).ToArray()},
                        {logged.Select(e => JsonSerializer.Serialize(e.Message, e.Message.GetType(), MessageSerialization.Options)).ToArray()},
                        {logged.Select(e => e.Message.OccurredAt).ToArray()}) AS e(event_id, opportunity_id, version, type, body, occurred_at)
            ON CONFLICT DO NOTHING
            """, cancellationToken);

        var state = await ProjectionStates.ShareAsync(db, organizationId, cancellationToken);
        var log = await LoadLogAsync(db, deals, cancellationToken);
        foreach (var generation in new[] { state.ActiveGeneration, state.BuildingGeneration }.OfType<int>())
        {
            await ReplaceAsync(db, organizationId, generation, deals, log, cancellationToken);
        }
    }

    /// <summary>
    /// Recomputes the read models of <paramref name="opportunities"/> in <paramref name="generation"/> from their logs.
    /// The deals are written in one statement, and only the rows that changed: the database derives the report
    /// rollups from those changes with statement-level triggers, so a batch of deals costs them one pass rather than
    /// one per deal, and a change that moves no figure does not touch the rollups other projections also write.
    /// Then their stays are rewritten in one statement, from which the database derives each deal's path through
    /// the stages (see Infrastructure/Sql/Functions/deal_stages_of.sql), and their changes in another, again only
    /// the rows that changed: an event usually adds one change to a deal's dozen, and leaves the others as they were.
    /// </summary>
    public static async Task ReplaceAsync(
        ReportingDbContext db, Guid organizationId, int generation, IReadOnlyCollection<Guid> opportunities,
        ILookup<Guid, IntegrationMessage> log, CancellationToken cancellationToken)
    {
        var deals = new List<Deal>();
        var stays = new List<StageInterval>();
        var changes = new List<DealChange>();
        foreach (var opportunityId in opportunities)
        {
            // Null while the deal's creation has not arrived: it has no read model (yet).
            if (DealProjector.Project(organizationId, generation, opportunityId, log[opportunityId]) is { } projection)
            {
                deals.Add(projection.Deal);
                stays.AddRange(projection.Intervals);
                changes.AddRange(projection.Changes);
            }
        }

        var projected = deals.Select(d => d.OpportunityId).ToArray();
        var unprojected = opportunities.Except(projected).ToArray();
        if (unprojected.Length > 0)
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"DELETE FROM deals WHERE organization_id = {organizationId} AND generation = {generation} AND opportunity_id = ANY({unprojected})",
                cancellationToken);
        }

        if (deals.Count > 0)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO deals AS d (organization_id, generation, opportunity_id, last_version, pipeline_id, stage_id, title, owner_id, team_id,
                                       amount, currency, probability, status, segment, source, lost_reason, created_at, closed_at,
                                       expected_decision_date, last_touched_at, push_count, pushed_days)
                SELECT {organizationId}, {generation}, n.* FROM unnest(
                    {projected}, {deals.Select(d => d.LastVersion).ToArray()}, {deals.Select(d => d.PipelineId).ToArray()},
                    {deals.Select(d => d.StageId).ToArray()}, {deals.Select(d => d.Title).ToArray()}, {deals.Select(d => d.OwnerId).ToArray()},
                    {deals.Select(d => d.TeamId).ToArray()}, {deals.Select(d => d.Amount).ToArray()}, {deals.Select(d => d.Currency).ToArray()},
                    {deals.Select(d => d.Probability).ToArray()}, {deals.Select(d => d.Status).ToArray()}, {deals.Select(d => d.Segment).ToArray()},
                    {deals.Select(d => d.Source).ToArray()}, {deals.Select(d => d.LostReason).ToArray()}, {deals.Select(d => d.CreatedAt).ToArray()},
                    {deals.Select(d => d.ClosedAt).ToArray()}, {deals.Select(d => d.ExpectedDecisionDate).ToArray()},
                    {deals.Select(d => d.LastTouchedAt).ToArray()}, {deals.Select(d => d.PushCount).ToArray()}, {deals.Select(d => d.PushedDays).ToArray()}) AS n
                ON CONFLICT (organization_id, generation, opportunity_id) DO UPDATE SET
                    (last_version, pipeline_id, stage_id, title, owner_id, team_id, amount, currency, probability, status, segment, source,
                     lost_reason, created_at, closed_at, expected_decision_date, last_touched_at, push_count, pushed_days) =
                    (excluded.last_version, excluded.pipeline_id, excluded.stage_id, excluded.title, excluded.owner_id, excluded.team_id,
                     excluded.amount, excluded.currency, excluded.probability, excluded.status, excluded.segment, excluded.source,
                     excluded.lost_reason, excluded.created_at, excluded.closed_at, excluded.expected_decision_date, excluded.last_touched_at,
                     excluded.push_count, excluded.pushed_days)
                WHERE (d.*) IS DISTINCT FROM (excluded.*)
                """, cancellationToken);
        }

        await db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH replaced AS (
                DELETE FROM stage_intervals
                WHERE organization_id = {organizationId} AND generation = {generation} AND opportunity_id = ANY({opportunities.ToArray()}))
            INSERT INTO stage_intervals (organization_id, generation, opportunity_id, pipeline_id, stage_id, entered_at, exited_at, exit)
            SELECT {organizationId}, {generation}, s.* FROM unnest(
                {stays.Select(s => s.OpportunityId).ToArray()}, {stays.Select(s => s.PipelineId).ToArray()}, {stays.Select(s => s.StageId).ToArray()},
                {stays.Select(s => s.EnteredAt).ToArray()}, {stays.Select(s => s.ExitedAt).ToArray()}, {stays.Select(s => s.Exit).ToArray()}) AS s
            """, cancellationToken);

        await db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH fresh AS (
                SELECT * FROM unnest(
                    {changes.Select(c => c.OpportunityId).ToArray()}, {changes.Select(c => c.Sequence).ToArray()}, {changes.Select(c => c.Version).ToArray()},
                    {changes.Select(c => c.Kind).ToArray()}, {changes.Select(c => c.At).ToArray()}, {changes.Select(c => c.FromValue).ToArray()},
                    {changes.Select(c => c.ToValue).ToArray()}, {changes.Select(c => c.FromStageId).ToArray()}, {changes.Select(c => c.ToStageId).ToArray()},
                    {changes.Select(c => c.AmountDelta).ToArray()}, {changes.Select(c => c.Currency).ToArray()}, {changes.Select(c => c.OpenDelta).ToArray()},
                    {changes.Select(c => c.WeightedDelta).ToArray()}, {changes.Select(c => c.PreviousCurrency).ToArray()},
                    {changes.Select(c => c.RemovedOpenAmount).ToArray()}, {changes.Select(c => c.RemovedWeightedAmount).ToArray()},
                    {changes.Select(c => c.PipelineId).ToArray()}, {changes.Select(c => c.OwnerId).ToArray()}, {changes.Select(c => c.TeamId).ToArray()},
                    {changes.Select(c => c.Segment).ToArray()}, {changes.Select(c => c.Source).ToArray()})
                    AS n(opportunity_id, sequence, version, kind, at, from_value, to_value, from_stage_id, to_stage_id, amount_delta, currency, open_delta,
                         weighted_delta, previous_currency, removed_open_amount, removed_weighted_amount, pipeline_id, owner_id, team_id, segment, source)),
            gone AS (
                DELETE FROM deal_changes c
                WHERE c.organization_id = {organizationId} AND c.generation = {generation} AND c.opportunity_id = ANY({opportunities.ToArray()})
                  AND NOT EXISTS (SELECT FROM fresh f WHERE f.opportunity_id = c.opportunity_id AND f.sequence = c.sequence))
            INSERT INTO deal_changes AS c (organization_id, generation, opportunity_id, sequence, version, kind, at, from_value, to_value, from_stage_id,
                                           to_stage_id, amount_delta, currency, open_delta, weighted_delta, previous_currency, removed_open_amount,
                                           removed_weighted_amount, pipeline_id, owner_id, team_id, segment, source)
            SELECT {organizationId}, {generation}, f.* FROM fresh f
            ON CONFLICT (organization_id, generation, opportunity_id, sequence) DO UPDATE SET
                (version, kind, at, from_value, to_value, from_stage_id, to_stage_id, amount_delta, currency, open_delta, weighted_delta,
                 previous_currency, removed_open_amount, removed_weighted_amount, pipeline_id, owner_id, team_id, segment, source) =
                (excluded.version, excluded.kind, excluded.at, excluded.from_value, excluded.to_value, excluded.from_stage_id, excluded.to_stage_id,
                 excluded.amount_delta, excluded.currency, excluded.open_delta, excluded.weighted_delta, excluded.previous_currency,
                 excluded.removed_open_amount, excluded.removed_weighted_amount, excluded.pipeline_id, excluded.owner_id, excluded.team_id,
                 excluded.segment, excluded.source)
            WHERE (c.*) IS DISTINCT FROM (excluded.*)
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

/// <summary>
/// How far behind the events the reports are (the time from an event's change to its projection), and how many
/// events each transaction of the projection applies (see <see cref="ProjectionBatcher"/>).
/// </summary>
public sealed class ProjectionMetrics
{
    private readonly Histogram<double> _lag;
    private readonly Histogram<int> _batchSize;

    public ProjectionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("Pipeline.Reporting");
        _lag = meter.CreateHistogram<double>(
            "pipeline.reporting.projection_lag", "s", "Time from a change in the opportunity service to the reports reflecting it.");
        _batchSize = meter.CreateHistogram<int>(
            "pipeline.reporting.projection_batch_size", "{event}", "Deal events applied together, in one transaction.");
    }

    public void RecordLag(TimeSpan lag) => _lag.Record(Math.Max(0, lag.TotalSeconds));

    public void RecordBatch(int events) => _batchSize.Record(events);
}

public static class ProjectionStates
{
    /// <summary>The organisation's projection state, created at its first event.</summary>
    public static async Task<ProjectionState> EnsureAsync(ReportingDbContext db, Guid organizationId, CancellationToken cancellationToken)
    {
        if (await db.ProjectionStates.SingleOrDefaultAsync(s => s.OrganizationId == organizationId, cancellationToken) is { } state)
        {
            return state;
        }

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

    /// <summary>Whether PostgreSQL knows <paramref name="timeZone"/>, which the database's functions cut days in.</summary>
    public static async Task<bool> IsKnownTimeZoneAsync(ReportingDbContext db, string timeZone, CancellationToken cancellationToken) =>
        await db.Database.SqlQuery<bool>($"SELECT EXISTS (SELECT FROM pg_timezone_names WHERE name = {timeZone}) AS \"Value\"").SingleAsync(cancellationToken);

    /// <summary>Days are cut in the organisation's time zone from its first event, if its profile has arrived (else UTC, re-cut when it does).</summary>
    private static Task CreateIfMissingAsync(ReportingDbContext db, Guid organizationId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO projection_states (organization_id, active_generation, time_zone)
            SELECT {organizationId}, 1, coalesce((SELECT p.time_zone FROM organization_profiles p
                                                  WHERE p.organization_id = {organizationId} AND p.time_zone IN (SELECT name FROM pg_timezone_names)), 'UTC')
            ON CONFLICT DO NOTHING
            """, cancellationToken);
}
