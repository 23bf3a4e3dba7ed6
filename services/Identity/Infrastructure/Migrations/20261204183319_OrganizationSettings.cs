using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Identity.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class OrganizationSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Organisations created before they had settings: UTC, a calendar fiscal year, version 1.
            migrationBuilder.AddColumn<int>(
                name: "fiscal_year_start_month",
                table: "organizations",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<string>(
                name: "time_zone",
                table: "organizations",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "UTC");

            migrationBuilder.AddColumn<long>(
                name: "version",
                table: "organizations",
                type: "bigint",
                nullable: false,
                defaultValue: 1L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "fiscal_year_start_month",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "time_zone",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "version",
                table: "organizations");
        }
    }
}
