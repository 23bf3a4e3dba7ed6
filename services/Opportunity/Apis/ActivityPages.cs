using Microsoft.EntityFrameworkCore;
using Pipeline.Opportunity.Domain;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Apis;

/// <summary>
/// Activity lists in agenda order (soonest due first, those without a due date last), paged by keyset: the
/// cursor holds the last row's due time and id, so activities added meanwhile are neither skipped nor repeated.
/// </summary>
internal static class ActivityPages
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>Stands for "no due date" in the sort order; far beyond any real due date.</summary>
    private static readonly DateTimeOffset Undated = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Adds the errors of <paramref name="limit"/> and <paramref name="cursor"/>; returns the decoded cursor.</summary>
    public static Cursor? Read(string? cursor, int? limit, Dictionary<string, string[]> errors)
    {
        if (limit is not null and not (>= 1 and <= MaxLimit))
        {
            errors["limit"] = [$"The page size is from 1 to {MaxLimit}."];
        }

        if (cursor is null)
        {
            return null;
        }

        var after = Cursor.Decode(cursor);
        if (after is null)
        {
            errors["cursor"] = ["The cursor is not one this list gave."];
        }

        return after;
    }

    public static async Task<Page<ActivityResponse>> PageAsync(
        IQueryable<SalesActivity> activities, Cursor? after, int? limit, CancellationToken cancellationToken)
    {
        var size = limit ?? DefaultLimit;
        if (after is not null)
        {
            var due = after.DueAt ?? Undated;
            var id = after.Id;
            activities = activities.Where(a => (a.DueAt ?? Undated) > due || ((a.DueAt ?? Undated) == due && a.Id.CompareTo(id) > 0));
        }

        var rows = await activities.OrderBy(a => a.DueAt ?? Undated).ThenBy(a => a.Id).Take(size + 1).ToListAsync(cancellationToken);
        var next = rows.Count > size ? new Cursor(rows[size - 1].Id, rows[size - 1].DueAt).Encode() : null;
        return new Page<ActivityResponse>(rows.Take(size).Select(ActivityResponse.From).ToList(), next);
    }

    public sealed record Cursor(Guid Id, DateTimeOffset? DueAt)
    {
        public string Encode() => KeysetCursor.Encode(this);

        public static Cursor? Decode(string value) => KeysetCursor.Decode<Cursor>(value);
    }
}
