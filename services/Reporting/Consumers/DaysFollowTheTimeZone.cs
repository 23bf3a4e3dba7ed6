using Microsoft.EntityFrameworkCore;
using Pipeline.Messaging.Organizations;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Infrastructure;
using Pipeline.Reporting.Projections;

namespace Pipeline.Reporting.Consumers;

/// <summary>
/// The days of the reports (a deal's creation and close days, its days in each stage) are cut in the organisation's
/// time zone. When it moves to another zone, a rebuild of its read models is queued, in the transaction that keeps
/// the new profile, and a replica runs it (<see cref="Rebuild"/>): the new generation is cut in the new zone while
/// readers keep the old one, whole, until the switch. An organisation without deals just takes the new zone.
/// </summary>
public sealed partial class DaysFollowTheTimeZone(ReportingDbContext db, TimeProvider clock, ILogger<DaysFollowTheTimeZone> logger) : IOrganizationSettingsObserver
{
    public async Task OnChangedAsync(OrganizationProfile? before, OrganizationProfile after, CancellationToken cancellationToken)
    {
        var zone = after.TimeZone;
        if (!await ProjectionStates.IsKnownTimeZoneAsync(db, zone, cancellationToken))
        {
            LogUnknownTimeZone(logger, after.OrganizationId, zone);
            zone = "UTC";
        }

        // Locked until the profile commits: a first event of the organisation projected meanwhile either created the
        // state before (and is re-cut below) or waits, and then finds the new zone.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO projection_states (organization_id, active_generation, time_zone) VALUES ({after.OrganizationId}, 1, {zone}) ON CONFLICT DO NOTHING",
            cancellationToken);
        var state = await db.ProjectionStates
            .FromSqlInterpolated($"SELECT * FROM projection_states WHERE organization_id = {after.OrganizationId} FOR UPDATE")
            .SingleAsync(cancellationToken);
        if ((state.BuildingTimeZone ?? state.TimeZone) == zone)
        {
            return;
        }

        if (state.BuildingGeneration is null && !await db.Deals.AnyAsync(cancellationToken))
        {
            state.TimeZone = zone;
            return;
        }

        db.RebuildJobs.Add(new RebuildJob
        {
            Id = Guid.NewGuid(), OrganizationId = after.OrganizationId, Status = "queued", Reason = RebuildJob.TimeZoneChanged, StartedAt = clock.GetUtcNow(),
        });
        LogRecut(logger, after.OrganizationId, state.TimeZone, zone);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Organization} moved from {Before} to {After}: its read models are rebuilt, their days cut in the new time zone")]
    private static partial void LogRecut(ILogger logger, Guid organization, string before, string after);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database does not know {Organization}'s time zone {TimeZone}: its days are cut in UTC")]
    private static partial void LogUnknownTimeZone(ILogger logger, Guid organization, string timeZone);
}
