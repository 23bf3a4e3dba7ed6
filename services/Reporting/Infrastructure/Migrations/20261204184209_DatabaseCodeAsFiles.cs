using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Reporting.Infrastructure.Migrations
{
    /// <summary>
    /// The database's functions and triggers, until now defined in the migrations ReportRollups, StageRollups,
    /// TwoDimensionFilters and StagePathComputedOnce (some redefined in three of them, trigger bodies generated with
    /// format(), live definitions edited by text replacement), now each in a current-definition file under
    /// Infrastructure/Sql (see <see cref="SqlDefinitions"/>), all applied here. Same rows, same rollups: the trigger
    /// functions now hand the changed rows to one function that computes their rollups (deal_rollup_changes,
    /// stage_rollup_changes) instead of carrying a generated copy of its statement, and a rebuild adds a
    /// generation's rollups in chunks (apply_generation_rollups) instead of through a statement built from text.
    /// </summary>
    [ReappliesSql(
        "Functions/add_to_deal_rollups",
        "Functions/add_to_stage_rollups",
        "Functions/apply_generation_rollups",
        "Functions/deal_rollup_changes",
        "Functions/deal_stages_changed",
        "Functions/deal_stages_of",
        "Functions/deal_stages_stored",
        "Functions/deals_changed",
        "Functions/deals_changed_stages",
        "Functions/fold_deal_rollup_deltas",
        "Functions/fold_stage_rollup_deltas",
        "Functions/pipeline_stages_changed",
        "Functions/refresh_deal_stages",
        "Functions/stage_intervals_changed_stages",
        "Functions/stage_rollup_changes",
        "Triggers/deal_stages_deleted",
        "Triggers/deal_stages_inserted",
        "Triggers/deals_deleted",
        "Triggers/deals_deleted_stages",
        "Triggers/deals_inserted",
        "Triggers/deals_inserted_stages",
        "Triggers/deals_updated",
        "Triggers/deals_updated_stages",
        "Triggers/pipeline_stages_inserted",
        "Triggers/pipeline_stages_updated",
        "Triggers/stage_intervals_inserted_stages",
        "Triggers/stage_intervals_updated_stages")]
    public partial class DatabaseCodeAsFiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Replaced by the files: the statements that were built as text, and the functions that ran them.
            migrationBuilder.Sql("""
                DROP FUNCTION apply_deal_rollups(text);
                DROP FUNCTION apply_stage_rollups(text);
                DROP FUNCTION deal_rollups_statement(text, boolean);
                DROP FUNCTION stage_rollups_statement(text, boolean);
                """);
            SqlDefinitions.Reapply(migrationBuilder, this);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The previous definitions lived only in the earlier migrations' strings, generated and patched at apply
            // time: nothing here could restore them as they were. Going back means restoring a backup.
            throw new NotSupportedException("DatabaseCodeAsFiles cannot be undone: restore a backup of the database.");
        }
    }
}
