using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Opportunity.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class OrganizationProfiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The rate table's currency stays what it was (the currency its rates are quoted in); the organisation's
            // own currency now comes from identity (organization_profiles).
            migrationBuilder.RenameTable(name: "organization_settings", newName: "exchange_rate_tables");
            migrationBuilder.RenameColumn(name: "currency", table: "exchange_rate_tables", newName: "quoted_in");
            migrationBuilder.Sql("ALTER TABLE exchange_rate_tables RENAME CONSTRAINT pk_organization_settings TO pk_exchange_rate_tables;");

            migrationBuilder.AddColumn<DateOnly>(
                name: "due_date",
                table: "activities",
                type: "date",
                nullable: true);

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE exchange_rate_tables RENAME CONSTRAINT pk_exchange_rate_tables TO pk_organization_settings;");
            migrationBuilder.RenameColumn(name: "quoted_in", table: "exchange_rate_tables", newName: "currency");
            migrationBuilder.RenameTable(name: "exchange_rate_tables", newName: "organization_settings");

            migrationBuilder.DropTable(
                name: "organization_profiles");

            migrationBuilder.DropColumn(
                name: "due_date",
                table: "activities");

        }
    }
}
