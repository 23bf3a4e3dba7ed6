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
/// (<see cref="ReportFilter.From"/>, <see cref="ReportFilter.To"/>) counted by kind with what they moved per currency,
/// a page of the deals changed (latest change first) with their changes, and the stages of the organisation's
/// pipelines (their current names and order). A week is one range of <c>deal_changes</c>' index by time, which holds
/// what the totals read; the filter's columns are on every row, so no deal is visited but the page's.
/// </summary>
public sealed class ReviewQueries(NpgsqlDataSource database)
{
    public sealed record Review(
        IReadOnlyList<ChangeCount> Counts, IReadOnlyList<ChangeAmounts> Amounts, IReadOnlyList<ChangedDealRow> Deals,
        IReadOnlyDictionary<Guid, StagePlace> Stages);

    public async Task<Review> ChangesAsync(
        ReportFilter filter, IReadOnlyList<RateStretch> stretches, ChangesCursor? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        // One pass: per kind (moves per pair of stages, which the pipeline's current order gives a direction), currency
        // and stretch of constant rates, how many and what they moved. Amount edits are a kind of their own, so their
        // sum is all up or all down.
        var totals = Window(batch, filter, $$"""
            SELECT c.kind, CASE WHEN c.kind = 'moved' THEN c.from_stage_id END, CASE WHEN c.kind = 'moved' THEN c.to_stage_id END,
                   c.currency, c.previous_currency, {{(stretches.Count > 1 ? "width_bucket(c.at, @stretches)" : "0")}},
                   count(*), coalesce(sum(c.amount_delta), 0), sum(c.open_delta), sum(c.weighted_delta),
                   coalesce(sum(c.removed_open_amount) FILTER (WHERE c.previous_currency <> c.currency), 0),
                   coalesce(sum(c.removed_weighted_amount) FILTER (WHERE c.previous_currency <> c.currency), 0)
            FROM deal_changes c WHERE {0} GROUP BY 1, 2, 3, 4, 5, 6
            """);
        if (stretches.Count > 1)
        {
            totals.Parameters.AddWithValue("stretches", stretches.Skip(1).Select(s => s.Start).ToArray());
        }

        // The deals by their latest change in the window, read backwards along the index by time: a change is a deal's
        // latest when none of its changes comes after it there; the page ends when it has its deals.
        var page = Window(batch, filter, $$"""
            WITH page AS (
                SELECT c.opportunity_id, c.at AS last_at FROM deal_changes c
                WHERE {0}{{(after is null ? "" : " AND (c.at, c.opportunity_id) < (@after_at, @after_id)")}}
                  AND NOT EXISTS (SELECT FROM deal_changes l
                                  WHERE l.organization_id = c.organization_id AND l.generation = c.generation AND l.opportunity_id = c.opportunity_id
                                    AND l.at < @to AND (l.at > c.at OR (l.at = c.at AND l.sequence > c.sequence)))
                ORDER BY c.at DESC, c.opportunity_id DESC LIMIT @limit)
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
        var amounts = new List<ChangeAmounts>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var kind = reader.GetString(0);
            var (currency, previousCurrency, day) = (reader.GetString(3).Trim(), reader.GetString(4).Trim(), stretches[reader.GetInt32(5)].Day);
            var amountDelta = reader.GetDecimal(7);
            counts.Add(new ChangeCount(kind, NullableGuid(reader, 1), NullableGuid(reader, 2), reader.GetInt64(6)));
            amounts.Add(new ChangeAmounts(currency, day, kind == ChangeKind.AmountUp ? amountDelta : 0, kind == ChangeKind.AmountDown ? amountDelta : 0,
                reader.GetDecimal(8), reader.GetDecimal(9)));
            if (previousCurrency != currency)
            {
                amounts.Add(new ChangeAmounts(previousCurrency, day, 0, 0, -reader.GetDecimal(10), -reader.GetDecimal(11)));
            }
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
