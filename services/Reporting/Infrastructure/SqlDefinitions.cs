using System.Reflection;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Pipeline.Reporting.Infrastructure;

/// <summary>
/// The database's code (functions, triggers, views): each object's current definition in one file of its own under
/// <c>Infrastructure/Sql/</c>, embedded in the assembly, so that a file shows what the database runs. The rule: a
/// migration that changes one re-applies the whole current file (<see cref="ReappliesSqlAttribute"/>), never a
/// patch of a live definition. Functions and views are created <c>OR REPLACE</c>; a trigger's file drops and
/// creates it.
/// <para>
/// Tables stay created and altered by the migrations, even those EF does not map (the rollups, <c>deal_stages</c>):
/// a table holds data, so a change to it is a step from the previous shape (an <c>ALTER</c>, a backfill), which is
/// what a migration is; a table's "current definition" could not be re-applied.
/// </para>
/// <para>
/// A migration applies a file only if no later migration re-applies it: the embedded file is the current
/// definition, which may need what later migrations add (a column, a table). On a fresh database a file is thus
/// applied once, by the last migration that names it; a database at an earlier step gets it from the same one.
/// </para>
/// </summary>
public static class SqlDefinitions
{
    private const string Prefix = "Pipeline.Reporting.Infrastructure.Sql.";

    /// <summary>Every file, by the object it defines (<c>Functions/deals_changed</c>, <c>Triggers/deals_inserted</c>).</summary>
    public static IReadOnlyList<string> All { get; } = typeof(SqlDefinitions).Assembly.GetManifestResourceNames()
        .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
        .Select(name => name[Prefix.Length..^".sql".Length].Replace('.', '/'))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The current text of a file.</summary>
    public static string Read(string definition)
    {
        using var stream = typeof(SqlDefinitions).Assembly.GetManifestResourceStream(Prefix + definition.Replace('/', '.') + ".sql")
            ?? throw new InvalidOperationException($"No SQL definition {definition} in Infrastructure/Sql.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Applies the files <paramref name="migration"/> re-applies (its <see cref="ReappliesSqlAttribute"/>) that no
    /// later migration re-applies: functions first, then triggers, which need them.
    /// </summary>
    public static void Reapply(MigrationBuilder migrationBuilder, Migration migration)
    {
        var id = IdOf(migration.GetType());
        var later = migration.GetType().Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Migration)) && string.CompareOrdinal(IdOf(t), id) > 0)
            .SelectMany(Reapplied)
            .ToHashSet();
        foreach (var definition in Reapplied(migration.GetType()).Where(d => !later.Contains(d)).OrderBy(Kind).ThenBy(d => d, StringComparer.Ordinal))
        {
            migrationBuilder.Sql(Read(definition));
        }
    }

    private static IEnumerable<string> Reapplied(Type migration) =>
        migration.GetCustomAttribute<ReappliesSqlAttribute>()?.Definitions ?? [];

    private static string IdOf(Type migration) => migration.GetCustomAttribute<MigrationAttribute>()?.Id ?? "";

    private static int Kind(string definition) => definition.StartsWith("Functions/", StringComparison.Ordinal) ? 0 : definition.StartsWith("Views/", StringComparison.Ordinal) ? 1 : 2;
}

/// <summary>The files of <c>Infrastructure/Sql/</c> a migration re-applies, whole, because it changes them (see <see cref="SqlDefinitions"/>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ReappliesSqlAttribute(params string[] definitions) : Attribute
{
    public string[] Definitions { get; } = definitions;
}
