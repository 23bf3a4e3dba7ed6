using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Reporting.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ReportFreshnessFromEventLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "last_event_at",
                table: "projection_states");

            migrationBuilder.CreateIndex(
                name: "ix_deal_events_organization_id_occurred_at",
                table: "deal_events",
                columns: new[] { "organization_id", "occurred_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_deal_events_organization_id_occurred_at",
                table: "deal_events");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "last_event_at",
                table: "projection_states",
                type: "timestamp with time zone",
                nullable: true);
        }
    }
}
