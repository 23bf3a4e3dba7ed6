using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Reporting.Infrastructure.Migrations
{
    /// <summary>
    /// Rollups of the deals read model that the reports read instead of the deals themselves: per measure, day and
    /// month, pipeline, team and currency, in five sets of dimensions (<c>dims</c>): none more (<c>base</c>), the
    /// owner, the segment or the source alone, and all three (<c>all</c>, for reports filtered on several). A report
    /// reads the smallest set that has its filters: with many owners, segments and sources the <c>all</c> set holds
    /// nearly a row per deal and month. Maintained by the database (statement triggers on deals), so every way of
    /// writing deals keeps them right; only the generation readers use is maintained (a rebuild adds its
    /// generation's rollups when it switches readers over).
    /// </summary>
    public partial class ReportRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_deals_organization_id_generation_owner_id_status_closed_at",
                table: "deals",
                columns: new[] { "organization_id", "generation", "owner_id", "status", "closed_at" })
                .Annotation("Npgsql:IndexInclude", new[] { "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_deals_organization_id_generation_push_count_pushed_days_opp",
                table: "deals",
                columns: new[] { "organization_id", "generation", "push_count", "pushed_days", "opportunity_id" },
                descending: new[] { false, false, true, true, false });

            migrationBuilder.CreateIndex(
                name: "ix_deals_organization_id_generation_status_last_touched_at_opp",
                table: "deals",
                columns: new[] { "organization_id", "generation", "status", "last_touched_at", "opportunity_id" });

            migrationBuilder.Sql(Rollups);
            migrationBuilder.Sql("SELECT apply_deal_rollups('SELECT *, 1 AS sign FROM deals')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER deals_inserted ON deals;
                DROP TRIGGER deals_updated ON deals;
                DROP TRIGGER deals_deleted ON deals;
                DROP FUNCTION deals_changed();
                DROP FUNCTION fold_deal_rollup_deltas();
                DROP FUNCTION apply_deal_rollups(text);
                DROP FUNCTION deal_rollups_statement(text, boolean);
                DROP TABLE deal_rollup_deltas;
                DROP TABLE deal_rollups;
                """);

            migrationBuilder.DropIndex(
                name: "ix_deals_organization_id_generation_owner_id_status_closed_at",
                table: "deals");

            migrationBuilder.DropIndex(
                name: "ix_deals_organization_id_generation_push_count_pushed_days_opp",
                table: "deals");

            migrationBuilder.DropIndex(
                name: "ix_deals_organization_id_generation_status_last_touched_at_opp",
                table: "deals");
        }

        private const string Rollups = """
            -- Rollups of the deals read model, maintained by the database on every change of deals. Measures: created
            -- (the cohort), open (by creation day), due (open, by decision month), won and lost (by close day), cycle.
            CREATE TABLE deal_rollups (
                organization_id uuid NOT NULL,
                generation integer NOT NULL,
                measure text NOT NULL,
                dims text NOT NULL,
                grain "char" NOT NULL,
                day date,
                pipeline_id uuid,
                owner_id text,
                team_id uuid,
                segment text,
                source text,
                currency text,
                lost_reason text,
                cycle_days integer,
                deals bigint NOT NULL,
                won bigint NOT NULL,
                amount numeric NOT NULL,
                weighted numeric NOT NULL,
                cycle_days_sum bigint NOT NULL
            );
            CREATE UNIQUE INDEX ux_deal_rollups ON deal_rollups (organization_id, generation, measure, dims, grain, day, pipeline_id, owner_id, team_id, segment, source, currency, lost_reason, cycle_days) NULLS NOT DISTINCT;
            -- One owner's rows, without reading every owner's of the period.
            CREATE INDEX ix_deal_rollups_owner ON deal_rollups (organization_id, generation, owner_id, measure, grain, day) WHERE dims IN ('owner', 'all');

            -- What projections changed since the last fold. Projections only append here: had each upserted the
            -- rollups, every projection of similar deals would queue behind the row locks of the same few rollup
            -- rows until its commit. A folder (one at a time) moves them into deal_rollups; reports read both.
            CREATE TABLE deal_rollup_deltas (LIKE deal_rollups);

            -- The statement adding the contributions of the deal rows selected by changes (with a sign column: 1 added,
            -- -1 removed): appended to deal_rollup_deltas, or folded straight into deal_rollups.
            CREATE FUNCTION deal_rollups_statement(changes text, as_deltas boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
                SELECT format($sql$
                    WITH changed AS (%s),
                    facts AS (
                        SELECT d.*, (d.created_at AT TIME ZONE 'UTC')::date AS created_day, (d.closed_at AT TIME ZONE 'UTC')::date AS closed_day
                        FROM changed d
                        JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation),
                    contributions AS (
                        SELECT organization_id, generation, 'created' AS measure, created_day AS day, pipeline_id, owner_id::text, team_id, segment, source, currency::text,
                               NULL::text AS lost_reason, NULL::int AS cycle_days, sign AS deals, CASE WHEN status = 'won' THEN sign ELSE 0 END AS won,
                               0::numeric AS amount, 0::numeric AS weighted, 0 AS cycle_days_sum
                        FROM facts
                        UNION ALL
                        SELECT organization_id, generation, 'open', created_day, pipeline_id, owner_id, team_id, segment, source, currency,
                               NULL, NULL, sign, 0, sign * amount, sign * amount * probability / 100.0, 0
                        FROM facts WHERE status = 'open'
                        UNION ALL
                        SELECT organization_id, generation, 'due', expected_decision_date, pipeline_id, owner_id, team_id, segment, source, currency,
                               NULL, NULL, sign, 0, sign * amount, sign * amount * probability / 100.0, 0
                        FROM facts WHERE status = 'open'
                        UNION ALL
                        SELECT organization_id, generation, 'won', closed_day, pipeline_id, owner_id, team_id, segment, source, currency,
                               NULL, NULL, sign, sign, sign * amount, 0, sign * (closed_day - created_day)
                        FROM facts WHERE status = 'won'
                        UNION ALL
                        SELECT organization_id, generation, 'lost', closed_day, pipeline_id, owner_id, team_id, segment, source, currency,
                               coalesce(nullif(lost_reason, ''), '(none)'), NULL, sign, 0, sign * amount, 0, 0
                        FROM facts WHERE status = 'lost'
                        UNION ALL
                        -- How many won deals took each number of days (the median): not per owner, where it would hold
                        -- about a row per deal (the deals have an index for that).
                        SELECT organization_id, generation, 'cycle', closed_day, pipeline_id, NULL, team_id, segment, source, NULL,
                               NULL, closed_day - created_day, sign, sign, 0, 0, sign * (closed_day - created_day)
                        FROM facts WHERE status = 'won')
                    INSERT INTO %s AS r (organization_id, generation, measure, dims, grain, day, pipeline_id, owner_id, team_id, segment, source, currency,
                                                   lost_reason, cycle_days, deals, won, amount, weighted, cycle_days_sum)
                    SELECT c.organization_id, c.generation, c.measure, k.dims, g.grain, CASE g.grain WHEN 'm' THEN date_trunc('month', c.day)::date ELSE c.day END,
                           c.pipeline_id, CASE WHEN k.dims IN ('all', 'owner') THEN c.owner_id END, c.team_id,
                           CASE WHEN k.dims IN ('all', 'segment') THEN c.segment END, CASE WHEN k.dims IN ('all', 'source') THEN c.source END,
                           c.currency, c.lost_reason, c.cycle_days,
                           sum(c.deals), sum(c.won), sum(c.amount), sum(c.weighted), sum(c.cycle_days_sum)
                    FROM contributions c
                    CROSS JOIN (VALUES ('d'::"char"), ('m'::"char")) AS g(grain)
                    CROSS JOIN (VALUES ('all'), ('base'), ('owner'), ('segment'), ('source')) AS k(dims)
                    WHERE (g.grain = 'm' OR c.measure <> 'due') AND (k.dims IN ('base', 'segment', 'source') OR c.measure <> 'cycle')
                    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
                    HAVING sum(c.deals) <> 0 OR sum(c.won) <> 0 OR sum(c.amount) <> 0 OR sum(c.weighted) <> 0 OR sum(c.cycle_days_sum) <> 0
                    %s
                    $sql$, changes, CASE WHEN as_deltas THEN 'deal_rollup_deltas' ELSE 'deal_rollups' END,
                    CASE WHEN as_deltas THEN '' ELSE $upsert$
                    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
                    ON CONFLICT (organization_id, generation, measure, dims, grain, day, pipeline_id, owner_id, team_id, segment, source, currency, lost_reason, cycle_days)
                    DO UPDATE SET deals = r.deals + excluded.deals, won = r.won + excluded.won, amount = r.amount + excluded.amount,
                                  weighted = r.weighted + excluded.weighted, cycle_days_sum = r.cycle_days_sum + excluded.cycle_days_sum
                    $upsert$ END)
            $fn$;

            -- Folds rows straight into the rollups: a rebuild switching generations, and the first fill.
            CREATE FUNCTION apply_deal_rollups(changes text) RETURNS void LANGUAGE plpgsql AS $fn$
            BEGIN
                EXECUTE deal_rollups_statement(changes, false);
            END
            $fn$;

            -- Moves the deltas into the rollups, one folder at a time (another caller returns at once); returns the
            -- number of deltas moved. Readers see the deltas or their sum, never both: one transaction.
            CREATE FUNCTION fold_deal_rollup_deltas() RETURNS bigint LANGUAGE plpgsql AS $fn$
            DECLARE
                moved bigint;
            BEGIN
                IF NOT pg_try_advisory_xact_lock(hashtext('fold_deal_rollup_deltas')) THEN
                    RETURN 0;
                END IF;

                WITH taken AS (DELETE FROM deal_rollup_deltas RETURNING *),
                counted AS (SELECT count(*) AS n FROM taken),
                folded AS (
                    INSERT INTO deal_rollups AS r
                    SELECT organization_id, generation, measure, dims, grain, day, pipeline_id, owner_id, team_id, segment, source, currency,
                           lost_reason, cycle_days, sum(deals), sum(won), sum(amount), sum(weighted), sum(cycle_days_sum)
                    FROM taken
                    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
                    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
                    ON CONFLICT (organization_id, generation, measure, dims, grain, day, pipeline_id, owner_id, team_id, segment, source, currency, lost_reason, cycle_days)
                    DO UPDATE SET deals = r.deals + excluded.deals, won = r.won + excluded.won, amount = r.amount + excluded.amount,
                                  weighted = r.weighted + excluded.weighted, cycle_days_sum = r.cycle_days_sum + excluded.cycle_days_sum)
                SELECT n INTO moved FROM counted;
                RETURN moved;
            END
            $fn$;

            CREATE FUNCTION deals_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
                -- Rows of a generation readers do not use (a rebuild filling its own, or dropping the old) change no
                -- rollup: leave before building the statement. (An update never changes a deal's generation.)
                IF TG_OP = 'DELETE' THEN
                    IF NOT EXISTS (SELECT FROM old_deals d JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation) THEN
                        RETURN NULL;
                    END IF;
                ELSIF NOT EXISTS (SELECT FROM new_deals d JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation) THEN
                    RETURN NULL;
                END IF;

                EXECUTE deal_rollups_statement(CASE TG_OP
                    WHEN 'INSERT' THEN 'SELECT *, 1 AS sign FROM new_deals'
                    WHEN 'DELETE' THEN 'SELECT *, -1 AS sign FROM old_deals'
                    ELSE 'SELECT *, -1 AS sign FROM old_deals UNION ALL SELECT *, 1 FROM new_deals' END, true);
                RETURN NULL;
            END
            $fn$;

            CREATE TRIGGER deals_inserted AFTER INSERT ON deals REFERENCING NEW TABLE AS new_deals FOR EACH STATEMENT EXECUTE FUNCTION deals_changed();
            CREATE TRIGGER deals_updated AFTER UPDATE ON deals REFERENCING OLD TABLE AS old_deals NEW TABLE AS new_deals FOR EACH STATEMENT EXECUTE FUNCTION deals_changed();
            CREATE TRIGGER deals_deleted AFTER DELETE ON deals REFERENCING OLD TABLE AS old_deals FOR EACH STATEMENT EXECUTE FUNCTION deals_changed();
            """;
    }
}
