using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Reporting.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class DealChanges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "deal_changes",
                columns: table => new
                {
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    generation = table.Column<int>(type: "integer", nullable: false),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<int>(type: "integer", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    from_value = table.Column<string>(type: "text", nullable: true),
                    to_value = table.Column<string>(type: "text", nullable: true),
                    from_stage_id = table.Column<Guid>(type: "uuid", nullable: true),
                    to_stage_id = table.Column<Guid>(type: "uuid", nullable: true),
                    amount_delta = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: true),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    open_delta = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    weighted_delta = table.Column<decimal>(type: "numeric(20,4)", precision: 20, scale: 4, nullable: false),
                    previous_currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    removed_open_amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    removed_weighted_amount = table.Column<decimal>(type: "numeric(20,4)", precision: 20, scale: 4, nullable: false),
                    pipeline_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    team_id = table.Column<Guid>(type: "uuid", nullable: true),
                    segment = table.Column<string>(type: "text", nullable: true),
                    source = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deal_changes", x => new { x.organization_id, x.generation, x.opportunity_id, x.sequence });
                });

            migrationBuilder.CreateIndex(
                name: "ix_deal_changes_organization_id_generation_at_opportunity_id",
                table: "deal_changes",
                columns: new[] { "organization_id", "generation", "at", "opportunity_id" })
                .Annotation("Npgsql:IndexInclude", new[] { "sequence", "kind", "from_stage_id", "to_stage_id", "amount_delta", "currency", "open_delta", "weighted_delta", "previous_currency", "removed_open_amount", "removed_weighted_amount", "pipeline_id", "owner_id", "team_id", "segment", "source" });

            // The deals already projected have no changes yet: re-project every organisation from the events it has
            // here (a queued rebuild, as a change of time zone queues), which derives them from the whole history.
            migrationBuilder.Sql("""
                INSERT INTO rebuild_jobs (id, organization_id, status, reason, events_read, deals_projected, started_at)
                SELECT gen_random_uuid(), organization_id, 'queued', 'changes', 0, 0, now() FROM projection_states
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deal_changes");
        }
    }
}
