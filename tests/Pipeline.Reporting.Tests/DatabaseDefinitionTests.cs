using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Pipeline.Messaging.Tenancy;
using Pipeline.Reporting.Infrastructure;
using Pipeline.Testing;

namespace Pipeline.Reporting.Tests;

/// <summary>
/// The database's functions and triggers are their files in Infrastructure/Sql: a database migrated today and one
/// that went through every migration as it came, with data in it, run the same code.
/// </summary>
public sealed class DatabaseDefinitionTests
{
    [Fact]
    public async Task A_fresh_database_and_one_upgraded_step_by_step_have_the_same_functions_triggers_indexes_and_views()
    {
        await using var fresh = await TestDatabase.CreateAsync("definitions_fresh");
        await using var upgraded = await TestDatabase.CreateAsync("definitions_upgraded");

        await using (var db = Context(fresh))
        {
            await db.Database.MigrateAsync();
        }

        await using (var db = Context(upgraded))
        {
            var migrator = db.GetService<IMigrator>();
            var migrations = db.Database.GetMigrations().ToList();
            await migrator.MigrateAsync(migrations[0]);
            await AddDealAsync(upgraded); // so that each later migration's backfill runs over a deal
            foreach (var migration in migrations.Skip(1))
            {
                await migrator.MigrateAsync(migration);
            }
        }

        var expected = await DefinitionsAsync(fresh);
        var actual = await DefinitionsAsync(upgraded);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.All(expected, definition => Assert.Equal(definition.Value, actual[definition.Key]));
    }

    [Fact]
    public async Task Every_function_trigger_and_view_of_the_database_has_its_file_and_every_file_its_object()
    {
        await using var database = await TestDatabase.CreateAsync("definitions_files");
        await using (var db = Context(database))
        {
            await db.Database.MigrateAsync();
        }

        var objects = (await DefinitionsAsync(database)).Keys
            .Where(k => !k.StartsWith("index ", StringComparison.Ordinal))
            .Select(k => k.Replace("function ", "Functions/").Replace("trigger ", "Triggers/").Replace("view ", "Views/"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(SqlDefinitions.All, objects);
    }

    private static ReportingDbContext Context(TestDatabase database) => new(
        new DbContextOptionsBuilder<ReportingDbContext>().UseNpgsql(database.ConnectionString).UseSnakeCaseNamingConvention().Options,
        new TenantScope());

    /// <summary>Every function (by name: none is overloaded), trigger, index and view of the database, with its definition.</summary>
    private static async Task<Dictionary<string, string>> DefinitionsAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT 'function ' || p.proname, pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
            UNION ALL SELECT 'trigger ' || tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
            UNION ALL SELECT 'index ' || indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
            UNION ALL SELECT 'view ' || viewname, definition FROM pg_views WHERE schemaname = 'public'
            """, connection);
        var definitions = new Dictionary<string, string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            definitions.Add(reader.GetString(0), reader.GetString(1));
        }

        return definitions;
    }

    /// <summary>A deal with two stays in a pipeline of two stages, as the projection writes them, before any rollup existed.</summary>
    private static Task AddDealAsync(TestDatabase database) => database.ExecuteAsync("""
        INSERT INTO projection_states (organization_id, currency, active_generation, last_event_at) VALUES ('00000000-0000-0000-0000-00000000000a', 'EUR', 1, now());
        INSERT INTO pipeline_stages (organization_id, pipeline_id, stage_id, name, "order", probability, rotting_days, is_default_pipeline, removed)
        VALUES ('00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000c1', 'Lead', 1, 20, 10, true, false),
               ('00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000c2', 'Offer', 2, 60, 10, true, false);
        INSERT INTO deals (organization_id, generation, opportunity_id, last_version, pipeline_id, stage_id, title, owner_id, team_id, amount, currency,
                           probability, status, segment, source, lost_reason, created_at, closed_at, expected_decision_date, last_touched_at, push_count, pushed_days)
        VALUES ('00000000-0000-0000-0000-00000000000a', 1, '00000000-0000-0000-0000-0000000000d1', 3, '00000000-0000-0000-0000-0000000000b1',
                '00000000-0000-0000-0000-0000000000c2', 'Fleet renewal', 'alice', NULL, 12000, 'EUR', 60, 'won', 'smb', 'inbound', NULL,
                '2026-01-05T10:00:00Z', '2026-02-10T10:00:00Z', '2026-03-01', '2026-02-10T10:00:00Z', 0, 0);
        INSERT INTO stage_intervals (organization_id, generation, opportunity_id, pipeline_id, stage_id, entered_at, exited_at, exit)
        VALUES ('00000000-0000-0000-0000-00000000000a', 1, '00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000b1',
                '00000000-0000-0000-0000-0000000000c1', '2026-01-05T10:00:00Z', '2026-01-20T10:00:00Z', 'moved'),
               ('00000000-0000-0000-0000-00000000000a', 1, '00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000b1',
                '00000000-0000-0000-0000-0000000000c2', '2026-01-20T10:00:00Z', '2026-02-10T10:00:00Z', 'won');
        """);
}
