using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Domain;

/// <summary>An organisation's quote numbers: Q-000001, Q-000002, ... never repeated, without gaps.</summary>
public static class QuoteNumbers
{
    public static string Format(long number) => string.Create(CultureInfo.InvariantCulture, $"Q-{number:D6}");

    /// <summary>
    /// Takes the organisation's next number. Must run inside the transaction that inserts the quote: the upsert
    /// locks the counter row until the commit, so concurrent creations queue behind it, a rolled-back creation
    /// gives its number back, and the very first quotes of an organisation cannot both insert the counter (the
    /// loser of that race waits on the key and then increments).
    /// </summary>
    public static async Task<string> TakeNextAsync(OpportunityDbContext db, Guid organizationId, CancellationToken cancellationToken) =>
        (await TakeAsync(db, organizationId, 1, cancellationToken)).Single();

    /// <summary><paramref name="count"/> consecutive numbers at once (an import's batch), under the same rules as <see cref="TakeNextAsync"/>.</summary>
    public static async Task<IReadOnlyList<string>> TakeAsync(OpportunityDbContext db, Guid organizationId, int count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return [];
        }

        var transaction = db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("A quote number is taken in the transaction that inserts the quote.");
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = """
            INSERT INTO quote_counters (organization_id, next) VALUES (@organization, 1 + @count)
            ON CONFLICT (organization_id) DO UPDATE SET next = quote_counters.next + @count
            RETURNING next - @count
            """;
        var organization = command.CreateParameter();
        organization.ParameterName = "organization";
        organization.Value = organizationId;
        command.Parameters.Add(organization);
        var taken = command.CreateParameter();
        taken.ParameterName = "count";
        taken.Value = (long)count;
        command.Parameters.Add(taken);
        var first = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return Enumerable.Range(0, count).Select(i => Format(first + i)).ToList();
    }
}
