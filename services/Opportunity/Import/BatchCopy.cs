using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;

namespace Pipeline.Opportunity.Import;

/// <summary>
/// Writes the rows that a batch added to a DbContext with PostgreSQL's binary COPY instead of SaveChanges. The
/// entities are still made by <see cref="Domain.OpportunityWriter"/> (versions, history, outbox events): only the
/// way they reach the table changes. SaveChanges spends most of an import's time building one INSERT per entity
/// (three to five per row, docs/performance.md); COPY streams them. Columns come from the EF model, so a column
/// added to an entity is copied too; store-generated keys are left to the database.
/// </summary>
internal static class BatchCopy
{
    private static readonly ConcurrentDictionary<(IModel, Type), Table> Tables = new();

    /// <summary>Copies the added entities of type <typeparamref name="T"/>, in the order they were added, and stops tracking them.</summary>
    public static async Task CopyAddedAsync<T>(DbContext db, CancellationToken cancellationToken) where T : class
    {
        var entries = db.ChangeTracker.Entries<T>().Where(e => e.State == EntityState.Added).ToList();
        if (entries.Count == 0)
        {
            return;
        }

        var table = Tables.GetOrAdd((db.Model, typeof(T)), key => Table.Of(key.Item1.FindEntityType(key.Item2)!));
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using (var importer = await connection.BeginBinaryImportAsync(table.CopyCommand, cancellationToken))
        {
            foreach (var entry in entries)
            {
                await importer.StartRowAsync(cancellationToken);
                foreach (var column in table.Columns)
                {
                    var value = column.Value(entry.Entity);
                    if (value is null)
                    {
                        await importer.WriteNullAsync(cancellationToken);
                    }
                    else
                    {
                        await importer.WriteAsync(value, column.Type, cancellationToken);
                    }
                }
            }

            await importer.CompleteAsync(cancellationToken);
        }

        foreach (var entry in entries)
        {
            entry.State = EntityState.Detached;
        }
    }

    private sealed record Column(string Name, NpgsqlDbType Type, Func<object, object?> Value);

    private sealed record Table(string CopyCommand, Column[] Columns)
    {
        public static Table Of(IEntityType entity)
        {
            var name = entity.GetTableName()!;
            var store = StoreObjectIdentifier.Table(name, entity.GetSchema());
            var columns = entity.GetProperties()
                .Where(p => p.GetValueGenerationStrategy() == Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.None)
                .Select(p => Column(p, p.GetColumnName(store)!))
                .ToArray();
            var qualified = entity.GetSchema() is { } schema ? $"\"{schema}\".\"{name}\"" : $"\"{name}\"";
            return new Table($"COPY {qualified} ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) FROM STDIN (FORMAT BINARY)", columns);
        }

        private static Column Column(IProperty property, string name)
        {
            if (property.IsShadowProperty())
            {
                throw new NotSupportedException($"{property.DeclaringType.DisplayName()}.{property.Name} is a shadow property: COPY reads values from the entity.");
            }

            var getter = property.GetGetter();
            var converter = property.GetTypeMapping().Converter;
            var type = converter?.ProviderClrType ?? property.ClrType;
            Func<object, object?> value = converter is null
                ? getter.GetClrValueUsingContainingEntity
                : entity => getter.GetClrValueUsingContainingEntity(entity) is { } model ? converter.ConvertToProvider(model) : null;
            return new Column(name, TypeOf(Nullable.GetUnderlyingType(type) ?? type, property.GetColumnType()), value);
        }

        private static NpgsqlDbType TypeOf(Type type, string columnType) => type switch
        {
            _ when columnType.StartsWith("jsonb", StringComparison.Ordinal) => NpgsqlDbType.Jsonb,
            _ when type == typeof(string) => NpgsqlDbType.Text,
            _ when type == typeof(Guid) => NpgsqlDbType.Uuid,
            _ when type == typeof(decimal) => NpgsqlDbType.Numeric,
            _ when type == typeof(int) => NpgsqlDbType.Integer,
            _ when type == typeof(long) => NpgsqlDbType.Bigint,
            _ when type == typeof(bool) => NpgsqlDbType.Boolean,
            _ when type == typeof(DateTimeOffset) => NpgsqlDbType.TimestampTz,
            _ when type == typeof(DateOnly) => NpgsqlDbType.Date,
            _ when type == typeof(TimeSpan) => NpgsqlDbType.Interval,
            _ => throw new NotSupportedException($"No COPY type for {type.Name} ({columnType})."),
        };
    }
}
