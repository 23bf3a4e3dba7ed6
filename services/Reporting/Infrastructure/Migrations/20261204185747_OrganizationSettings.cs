using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Reporting.Infrastructure.Migrations
{
    /// <summary>
    /// The organisation's settings: its profile (currency, time zone, fiscal year) as identity publishes it; the days
    /// of the read models cut in its time zone (per generation, so that a rebuild cuts its own while readers keep
    /// theirs); the rate table's quoted-in currency, no longer taken for the organisation's; re-cuts queued as rebuilds.
    /// </summary>
    [ReappliesSql(
        "Functions/deal_rollup_changes",
        "Functions/deal_stages_of",
        "Functions/stage_rollup_changes")]
    public partial class OrganizationSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "reason",
                table: "rebuild_jobs",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "changed_at",
                table: "rates",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<string>(
                name: "building_time_zone",
                table: "projection_states",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "time_zone",
                table: "projection_states",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "UTC");

            migrationBuilder.CreateTable(
                name: "organization_profiles",
                columns: table => new
                {
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    time_zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    fiscal_year_start_month = table.Column<int>(type: "integer", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_organization_profiles", x => x.organization_id);
                });

            migrationBuilder.CreateTable(
                name: "rate_tables",
                columns: table => new
                {
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    quoted_in = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    quoted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rate_tables", x => x.organization_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_rebuild_jobs_status",
                table: "rebuild_jobs",
                column: "status",
                filter: "status = 'queued'");

            // The rates kept so far were quoted in what the last rate said was the organisation's currency. The days
            // kept so far were cut in UTC, which time_zone says (each organisation's are re-cut when its profile arrives).
            migrationBuilder.Sql("""
                INSERT INTO rate_tables (organization_id, quoted_in, quoted_at)
                SELECT organization_id, currency, '0001-01-01T00:00:00Z' FROM projection_states s
                WHERE EXISTS (SELECT FROM rates r WHERE r.organization_id = s.organization_id);
                """);
            migrationBuilder.DropColumn(
                name: "currency",
                table: "projection_states");

            SqlDefinitions.Reapply(migrationBuilder, this);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The functions re-applied above are the current files, which need time_zone: the previous ones are not
            // kept (decision 6). Going back means restoring a backup.
            throw new NotSupportedException("OrganizationSettings cannot be undone: restore a backup of the database.");
        }
    }
}
