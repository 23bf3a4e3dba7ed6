using Npgsql;
using Pipeline.Reporting.Domain;

namespace Pipeline.Reporting.Infrastructure.Queries;

/// <summary>A change of a deal as stored (a stage move not yet given its direction).</summary>
public sealed record StoredChange(string Kind, DateTimeOffset At, string? From, string? To, Guid? FromStageId, Guid? ToStageId, string Currency);

/// <summary>A deal changed in the window: its latest change there (the page's order), title, owner and changes there in order.</summary>
public sealed record ChangedDealRow(Guid OpportunityId, DateTimeOffset LastChangeAt, string Title, string OwnerId, List<StoredChange> Changes);

/// <summary>Where the next page of changed deals starts: after this deal, whose latest change was at <see cref="LastChangeAt"/>.</summary>
public sealed record ChangesCursor(DateTimeOffset LastChangeAt, Guid OpportunityId);

/// <summary>
/// The pipeline review's figures, in one batch of SQL: the changes of the filter's deals between its instants
/// (<see cref="ReportFilter.From"/>, <see cref="ReportFilter.To"/>) counted by kind, their amounts summed per currency
/// and organisation day, a page of the deals changed (latest change first) with their changes, and the stages of the
/// organisation's pipelines (their current names and order). Each reads the window's rows of <c>deal_changes</c>
/// through its index by time; the filter's columns are on those rows, so no deal is visited but the page's.
/// </summary>
public sealed class ReviewQueries(NpgsqlDataSource database)
{
    public sealed record Review(
        IReadOnlyList<ChangeCount> Counts, IReadOnlyList<ChangeAmounts> Amounts, IReadOnlyList<ChangedDealRow> Deals,
        IReadOnlyDictionary<Guid, StagePlace> Stages);

    public async Task<Review> ChangesAsync(ReportFilter filter, string timeZone, ChangesCursor? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        // Moves are counted per pair of stages, which the pipeline's current order tells the direction of.
        Window(batch, filter, """
            SELECT c.kind, CASE WHEN c.kind = 'moved' THEN c.from_stage_id END, CASE WHEN c.kind = 'moved' THEN c.to_stage_id END, count(*)
            FROM deal_changes c WHERE {0} GROUP BY 1, 2, 3
            """);
        // Each change adds the deal's open value after it and takes away the value before it (in the currencies they
        // were in), so the sums are the open and weighted pipeline at until minus at since.
        Window(batch, filter, """
            SELECT v.currency, (c.at AT TIME ZONE @zone)::date, sum(v.up), sum(v.down), sum(v.open), sum(v.weighted)
            FROM deal_changes c CROSS JOIN LATERAL (VALUES
                (c.currency, greatest(c.amount_delta, 0), least(c.amount_delta, 0), c.open_amount, c.open_amount * c.probability / 100.0),
                (c.previous_currency, 0, 0, -c.previous_open_amount, -c.previous_open_amount * c.previous_probability / 100.0)) AS v(currency, up, down, open, weighted)
            WHERE {0}
            GROUP BY 1, 2 HAVING sum(v.up) <> 0 OR sum(v.down) <> 0 OR sum(v.open) <> 0 OR sum(v.weighted) <> 0
            """).Parameters.AddWithValue("zone", timeZone);
        var page = Window(batch, filter, $$"""
            WITH page AS (
                SELECT c.opportunity_id, max(c.at) AS last_at FROM deal_changes c WHERE {0} GROUP BY 1
                {{(after is null ? "" : "HAVING (max(c.at), c.opportunity_id) < (@after_at, @after_id)")}}
                ORDER BY 2 DESC, 1 DESC LIMIT @limit)
            SELECT p.opportunity_id, p.last_at, d.title, d.owner_id, c.kind, c.at, c.from_value, c.to_value, c.from_stage_id, c.to_stage_id, c.currency
            FROM page p
            JOIN deals d ON d.organization_id = @org AND d.generation = @generation AND d.opportunity_id = p.opportunity_id
            JOIN deal_changes c ON c.organization_id = @org AND c.generation = @generation AND c.opportunity_id = p.opportunity_id
                               AND c.at >= @from AND c.at < @to
            ORDER BY p.last_at DESC, p.opportunity_id DESC, c.sequence
            """);
        page.Parameters.AddWithValue("limit", limit);
        if (after is not null)
        {
            page.Parameters.AddWithValue("after_at", after.LastChangeAt);
            page.Parameters.AddWithValue("after_id", after.OpportunityId);
        }

        var stages = new NpgsqlBatchCommand("""SELECT stage_id, pipeline_id, name, "order" FROM pipeline_stages WHERE organization_id = @org""");
        stages.Parameters.AddWithValue("org", filter.OrganizationId);
        batch.BatchCommands.Add(stages);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var counts = new List<ChangeCount>();
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add(new ChangeCount(reader.GetString(0), NullableGuid(reader, 1), NullableGuid(reader, 2), reader.GetInt64(3)));
        }

        await reader.NextResultAsync(cancellationToken);
        var amounts = new List<ChangeAmounts>();
        while (await reader.ReadAsync(cancellationToken))
        {
            amounts.Add(new ChangeAmounts(reader.GetString(0).Trim(), reader.GetFieldValue<DateOnly>(1), reader.GetDecimal(2), reader.GetDecimal(3),
                reader.GetDecimal(4), reader.GetDecimal(5)));
        }

        await reader.NextResultAsync(cancellationToken);
        var deals = new List<ChangedDealRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetGuid(0);
            if (deals.Count == 0 || deals[^1].OpportunityId != id)
            {
                deals.Add(new ChangedDealRow(id, reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3), []));
            }

            deals[^1].Changes.Add(new StoredChange(reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), NullableString(reader, 6),
                NullableString(reader, 7), NullableGuid(reader, 8), NullableGuid(reader, 9), reader.GetString(10).Trim()));
        }

        await reader.NextResultAsync(cancellationToken);
        var places = new Dictionary<Guid, StagePlace>();
        while (await reader.ReadAsync(cancellationToken))
        {
            places[reader.GetGuid(0)] = new StagePlace(reader.GetGuid(1), reader.GetString(2), reader.GetInt32(3));
        }

        return new Review(counts, amounts, deals, places);
    }

    /// <summary>A statement on the window's changes: {0} is the filter's condition on <c>deal_changes c</c> and the window.</summary>
    private static NpgsqlBatchCommand Window(NpgsqlBatch batch, ReportFilter filter, string sql)
    {
        var command = new NpgsqlBatchCommand();
        command.CommandText = string.Format(sql, filter.Condition(command, "c") + " AND c.at >= @from AND c.at < @to");
        batch.BatchCommands.Add(command);
        return command;
    }

    private static Guid? NullableGuid(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetGuid(column);

    private static string? NullableString(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
}
