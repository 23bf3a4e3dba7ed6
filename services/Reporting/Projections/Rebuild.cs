using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pipeline.Contracts;
using Pipeline.Messaging;
using Pipeline.Messaging.Organizations;
using Pipeline.Messaging.Tenancy;
using Pipeline.Reporting.Consumers;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Infrastructure;

namespace Pipeline.Reporting.Projections;

/// <summary>
/// A rebuild: whose, and, when an admin asked for it, the admin's token to read the opportunity service's history;
/// without one (a re-cut of the days after a change of time zone), the events already here are projected again.
/// </summary>
public sealed record RebuildRequest(Guid JobId, Guid OrganizationId, string? BearerToken);

/// <summary>
/// Rebuilds an organisation's read models without readers noticing: the new generation is built aside while readers
/// keep the current one (live events go to both), then one update switches readers over and the old generation is
/// dropped. The new generation's days are cut in the organisation's time zone as its profile says when the rebuild
/// starts. An admin's rebuild reads the opportunity service's event history first; a re-cut queued in the database
/// when the time zone changes (<see cref="DaysFollowTheTimeZone"/>) is taken by one replica, which polls for them.
/// </summary>
public sealed partial class Rebuild(IServiceScopeFactory scopes, IHttpClientFactory http, NpgsqlDataSource database, ILogger<Rebuild> logger) : BackgroundService
{
    public const string OpportunityClient = "opportunity";
    private const int PageSize = 5000;
    private const int DealsPerBatch = 500;
    private static readonly TimeSpan QueuePoll = TimeSpan.FromSeconds(2);

    private readonly Channel<RebuildRequest> _requests = Channel.CreateUnbounded<RebuildRequest>();

    public void Enqueue(RebuildRequest request) => _requests.Writer.TryWrite(request);

    /// <summary>One rebuild at a time per replica: an admin's, else a queued re-cut, else wait for either.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var request = _requests.Reader.TryRead(out var asked) ? asked : await ClaimQueuedAsync(stoppingToken);
            if (request is null)
            {
                using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                poll.CancelAfter(QueuePoll);
                try
                {
                    await _requests.Reader.WaitToReadAsync(poll.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // Time to look for queued re-cuts again.
                }

                continue;
            }

            try
            {
                await RunAsync(request, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception, request.OrganizationId);
                await FinishAsync(request, failure: exception.Message, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                await StoppedAsync(request);
                throw;
            }
        }
    }

    /// <summary>
    /// The service stops mid-rebuild: a re-cut goes back to the queue, for whichever replica polls first to start it
    /// again; an admin's rebuild fails (its token may be gone by then), so that the admin can ask again at once.
    /// </summary>
    private async Task StoppedAsync(RebuildRequest request)
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            if (request.BearerToken is null)
            {
                await using var requeue = database.CreateCommand("UPDATE rebuild_jobs SET status = 'queued' WHERE id = $1");
                requeue.Parameters.Add(new NpgsqlParameter { Value = request.JobId });
                await requeue.ExecuteNonQueryAsync(grace.Token);
            }
            else
            {
                await FinishAsync(request, failure: "The service stopped during the rebuild: ask again.", grace.Token);
            }
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException)
        {
            LogNotRequeued(logger, exception, request.JobId);
        }
    }

    /// <summary>The oldest queued re-cut, taken by this replica (no other takes it).</summary>
    private async Task<RebuildRequest?> ClaimQueuedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var claim = database.CreateCommand("""
                UPDATE rebuild_jobs SET status = 'running'
                WHERE id = (SELECT id FROM rebuild_jobs WHERE status = 'queued' ORDER BY started_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING id, organization_id
                """);
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? new RebuildRequest(reader.GetGuid(0), reader.GetGuid(1), BearerToken: null) : null;
        }
        catch (NpgsqlException exception)
        {
            LogQueueUnreachable(logger, exception); // the queue stays; the next poll retries
            return null;
        }
    }

    private async Task RunAsync(RebuildRequest request, CancellationToken cancellationToken)
    {
        int generation;
        await using (var scope = Scoped(request, out var db))
        {
            var state = await ProjectionStates.EnsureAsync(db, request.OrganizationId, cancellationToken);
            generation = Math.Max(state.ActiveGeneration, await db.Deals.MaxAsync(d => (int?)d.Generation, cancellationToken) ?? 0) + 1;
            state.BuildingGeneration = generation;
            state.BuildingTimeZone = await TimeZoneAsync(db, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }

        var eventsRead = request.BearerToken is null ? await CountLoggedAsync(request, cancellationToken) : await ReadHistoryAsync(request, cancellationToken);
        var projected = await ProjectAllAsync(request, generation, cancellationToken);

        await using (var scope = Scoped(request, out var db))
        {
            int previous;
            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                var state = await db.ProjectionStates.SingleAsync(cancellationToken);
                previous = state.ActiveGeneration;
                state.ActiveGeneration = generation;
                state.TimeZone = state.BuildingTimeZone ?? state.TimeZone;
                state.BuildingGeneration = null;
                state.BuildingTimeZone = null;
                await db.SaveChangesAsync(cancellationToken); // waits for the projections in flight, which hold the state FOR SHARE

                // The database keeps the rollups of the readers' generation only: add the new one's, complete now.
                await db.Database.ExecuteSqlInterpolatedAsync($"SELECT apply_generation_rollups({request.OrganizationId}, {generation})", cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            // What the database derived from the old generation first: its deals' stage rows would otherwise be
            // deleted by the deals' trigger, in one more pass over them.
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                DELETE FROM deal_stages WHERE organization_id = {request.OrganizationId} AND generation < {generation};
                DELETE FROM deal_rollups WHERE organization_id = {request.OrganizationId} AND generation < {generation};
                DELETE FROM deal_rollup_deltas WHERE organization_id = {request.OrganizationId} AND generation < {generation};
                DELETE FROM stage_rollups WHERE organization_id = {request.OrganizationId} AND generation < {generation};
                DELETE FROM stage_rollup_deltas WHERE organization_id = {request.OrganizationId} AND generation < {generation};
                """, cancellationToken);
            await db.Deals.Where(d => d.Generation < generation).ExecuteDeleteAsync(cancellationToken);
            await db.StageIntervals.Where(i => i.Generation < generation).ExecuteDeleteAsync(cancellationToken);
            await db.DealChanges.Where(c => c.Generation < generation).ExecuteDeleteAsync(cancellationToken);
            var job = await db.RebuildJobs.SingleAsync(j => j.Id == request.JobId, cancellationToken);
            job.EventsRead = eventsRead;
            job.DealsProjected = projected;
            await db.SaveChangesAsync(cancellationToken);
            LogRebuilt(logger, request.OrganizationId, eventsRead, projected, previous, generation);
        }

        await FinishAsync(request, failure: null, cancellationToken);
    }

    /// <summary>The time zone the organisation's profile says, if PostgreSQL knows it; else UTC.</summary>
    private async Task<string> TimeZoneAsync(ReportingDbContext db, CancellationToken cancellationToken)
    {
        var profile = await OrganizationProfiles.CurrentAsync(db, cancellationToken);
        if (await ProjectionStates.IsKnownTimeZoneAsync(db, profile.TimeZone, cancellationToken))
        {
            return profile.TimeZone;
        }

        LogUnknownTimeZone(logger, profile.OrganizationId, profile.TimeZone);
        return "UTC";
    }

    private async Task<int> CountLoggedAsync(RebuildRequest request, CancellationToken cancellationToken)
    {
        await using var scope = Scoped(request, out var db);
        return await db.DealEvents.CountAsync(cancellationToken);
    }

    /// <summary>Reads the organisation's whole event history into the deals' logs and the configuration models.</summary>
    private async Task<int> ReadHistoryAsync(RebuildRequest request, CancellationToken cancellationToken)
    {
        var client = http.CreateClient(OpportunityClient);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", request.BearerToken);
        var read = 0;
        string? after = null;
        do
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/opportunity/events?limit={PageSize}" + (after is null ? "" : $"&after={after}"), cancellationToken);
            await using var scope = Scoped(request, out var db);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                var type = item.GetProperty("type").GetString()!;
                if (MessageSerialization.ResolveType($"Pipeline.Contracts.{type}") is not { } clrType
                    || item.GetProperty("message").Deserialize(clrType, MessageSerialization.Options) is not IntegrationMessage message)
                {
                    continue;
                }

                read++;
                switch (message)
                {
                    case PipelineChanged pipeline:
                        await PipelineStages.ApplyAsync(db, pipeline, cancellationToken);
                        await db.SaveChangesAsync(cancellationToken);
                        break;
                    case ExchangeRateChanged rate:
                        await PipelineStages.ApplyAsync(db, rate, cancellationToken);
                        await db.SaveChangesAsync(cancellationToken);
                        break;
                    default:
                        if (OpportunityOf(message) is { } opportunityId)
                        {
                            await LogAsync(db, message, opportunityId, cancellationToken);
                        }

                        break;
                }
            }

            await transaction.CommitAsync(cancellationToken);
            after = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (after is not null);
        return read;
    }

    private async Task<int> ProjectAllAsync(RebuildRequest request, int generation, CancellationToken cancellationToken)
    {
        List<Guid> opportunities;
        await using (var scope = Scoped(request, out var db))
        {
            opportunities = await db.DealEvents.Select(e => e.OpportunityId).Distinct().ToListAsync(cancellationToken);
        }

        foreach (var batch in opportunities.Chunk(DealsPerBatch))
        {
            await using var scope = Scoped(request, out var db);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var log = await DealProjection.LoadLogAsync(db, batch, cancellationToken);
            await DealProjection.ReplaceAsync(db, request.OrganizationId, generation, batch, log, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return opportunities.Count;
    }

    private static Task LogAsync(ReportingDbContext db, IntegrationMessage message, Guid opportunityId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO deal_events (event_id, organization_id, opportunity_id, version, type, body, occurred_at)
            VALUES ({message.EventId}, {message.OrganizationId}, {opportunityId}, {(message as OpportunityEvent)?.Version ?? 0}, {message.GetType().Name},
                    {JsonSerializer.Serialize(message, message.GetType(), MessageSerialization.Options)}, {message.OccurredAt})
            ON CONFLICT DO NOTHING
            """, cancellationToken);

    private static Guid? OpportunityOf(IntegrationMessage message) => message switch
    {
        OpportunityEvent e => e.OpportunityId,
        QuoteEvent q => q.OpportunityId,
        ActivityCompleted a => a.OpportunityId,
        _ => null,
    };

    private async Task FinishAsync(RebuildRequest request, string? failure, CancellationToken cancellationToken)
    {
        await using var scope = Scoped(request, out var db);
        var job = await db.RebuildJobs.SingleAsync(j => j.Id == request.JobId, cancellationToken);
        job.Status = failure is null ? "completed" : "failed";
        job.Failure = failure;
        job.CompletedAt = DateTimeOffset.UtcNow;
        if (failure is not null && await db.ProjectionStates.SingleOrDefaultAsync(cancellationToken) is { } state)
        {
            state.BuildingGeneration = null;
            state.BuildingTimeZone = null;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private AsyncServiceScope Scoped(RebuildRequest request, out ReportingDbContext db)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Use(request.OrganizationId);
        db = scope.ServiceProvider.GetRequiredService<ReportingDbContext>();
        return scope;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt the read models of {Organization}: {Events} events, {Deals} deals, generation {Previous} -> {Generation}")]
    private static partial void LogRebuilt(ILogger logger, Guid organization, int events, int deals, int previous, int generation);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rebuild of {Organization} failed; readers keep the current read models")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid organization);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuild {Job} was left running as the service stopped: a rebuild must be asked for again")]
    private static partial void LogNotRequeued(ILogger logger, Exception exception, Guid job);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for queued rebuilds failed; retrying at the next poll")]
    private static partial void LogQueueUnreachable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database does not know {Organization}'s time zone {TimeZone}: its days are cut in UTC")]
    private static partial void LogUnknownTimeZone(ILogger logger, Guid organization, string timeZone);
}
