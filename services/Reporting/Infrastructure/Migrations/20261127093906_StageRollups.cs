using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Reporting.Infrastructure.Migrations
{
    /// <summary>
    /// What the funnel reads, kept by the database like <c>deal_rollups</c>. First, per deal and stage of its
    /// pipeline, the deal's path through the stage (<c>deal_stages</c>: did it reach a later stage or win, was it lost
    /// there, how many days it spent there), recomputed from the stage stays whenever a deal's stays, the deal or the
    /// order of its pipeline's stages change. Then, per stage, cohort day and month, in the same five sets of
    /// dimensions, the sums the funnel needs (<c>stage_rollups</c>), and how many deals spent each number of days in
    /// the stage, for the median. Time in stage is in whole days (exit day − entry day, UTC, summed over
    /// re-entries), as the sales cycle is: a deal still in a stage has been there since a day, not a number of days,
    /// which is what lets a histogram hold it while the clock runs.
    /// </summary>
    public partial class StageRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_stage_intervals_organization_id_stage_id",
                table: "stage_intervals",
                columns: new[] { "organization_id", "stage_id" });

            migrationBuilder.Sql(DealStages);
            migrationBuilder.Sql(Rollups);
            migrationBuilder.Sql("SELECT refresh_deal_stages(array_agg(organization_id), array_agg(generation), array_agg(opportunity_id)) FROM deals");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER deal_stages_inserted ON deal_stages;
                DROP TRIGGER deal_stages_deleted ON deal_stages;
                DROP FUNCTION deal_stages_changed();
                DROP FUNCTION fold_stage_rollup_deltas();
                DROP FUNCTION apply_stage_rollups(text);
                DROP FUNCTION stage_rollups_statement(text, boolean);
                DROP TABLE stage_rollup_deltas;
                DROP TABLE stage_rollups;
                DROP TRIGGER stage_intervals_inserted_stages ON stage_intervals;
                DROP TRIGGER stage_intervals_updated_stages ON stage_intervals;
                DROP TRIGGER deals_inserted_stages ON deals;
                DROP TRIGGER deals_updated_stages ON deals;
                DROP TRIGGER deals_deleted_stages ON deals;
                DROP TRIGGER pipeline_stages_inserted ON pipeline_stages;
                DROP TRIGGER pipeline_stages_updated ON pipeline_stages;
                DROP FUNCTION stage_intervals_changed_stages();
                DROP FUNCTION deals_changed_stages();
                DROP FUNCTION pipeline_stages_changed();
                DROP FUNCTION refresh_deal_stages(uuid[], integer[], uuid[]);
                DROP FUNCTION deal_stages_stored(uuid[], integer[], uuid[]);
                DROP FUNCTION deal_stages_of(uuid[], integer[], uuid[]);
                DROP TABLE deal_stages;
                """);

            migrationBuilder.DropIndex(
                name: "ix_stage_intervals_organization_id_stage_id",
                table: "stage_intervals");
        }

        private const string DealStages = """
            -- Per deal and stage of the deal's pipeline it entered: its path through the stage, with the deal's
            -- dimensions (the funnel's cohort is by creation date). days: whole days spent in the stage once out of it;
            -- in_since, while in it: the day it entered less the days of earlier stays (time in stage = today − in_since).
            CREATE TABLE deal_stages (
                organization_id uuid NOT NULL,
                generation integer NOT NULL,
                opportunity_id uuid NOT NULL,
                stage_id uuid NOT NULL,
                pipeline_id uuid NOT NULL,
                created_at timestamptz NOT NULL,
                owner_id text NOT NULL,
                team_id uuid,
                segment text,
                source text,
                advanced boolean NOT NULL,
                lost boolean NOT NULL,
                days integer,
                in_since date,
                PRIMARY KEY (organization_id, generation, opportunity_id, stage_id)
            );
            -- The median per owner reads the owner's rows (per owner a histogram would hold about a row per deal), from
            -- the index alone: 230 pages instead of 12,500 for an owner's 12,500 rows.
            CREATE INDEX ix_deal_stages_owner ON deal_stages (organization_id, generation, owner_id, pipeline_id, created_at)
                INCLUDE (stage_id, days, in_since, team_id, segment, source);

            -- The deal_stages rows the deals (organization, generation, opportunity) should have, from their stays, the
            -- deal and its pipeline's stage order. Reached a later stage: entered, after first entering this one, a
            -- stage further down the pipeline (back and forth counts once). PL/pgSQL, planned as refresh_deal_stages says.
            CREATE FUNCTION deal_stages_of(organizations uuid[], generations integer[], opportunities uuid[]) RETURNS SETOF deal_stages
            LANGUAGE plpgsql STABLE AS $fn$
            BEGIN
                RETURN QUERY
                WITH affected AS (SELECT DISTINCT * FROM unnest(organizations, generations, opportunities) AS a(organization_id, generation, opportunity_id)),
                stays AS (
                    SELECT i.organization_id, i.generation, i.opportunity_id, i.stage_id, s."order", i.entered_at, i.exit,
                           (i.entered_at AT TIME ZONE 'UTC')::date AS entered_day, (i.exited_at AT TIME ZONE 'UTC')::date AS exited_day,
                           max(s."order") OVER (PARTITION BY i.organization_id, i.generation, i.opportunity_id ORDER BY i.entered_at DESC RANGE UNBOUNDED PRECEDING) AS highest_after,
                           d.pipeline_id, d.created_at, d.owner_id, d.team_id, d.segment, d.source, d.status
                    FROM affected a
                    JOIN deals d ON d.organization_id = a.organization_id AND d.generation = a.generation AND d.opportunity_id = a.opportunity_id
                    JOIN stage_intervals i ON i.organization_id = a.organization_id AND i.generation = a.generation AND i.opportunity_id = a.opportunity_id
                    JOIN pipeline_stages s ON s.organization_id = i.organization_id AND s.stage_id = i.stage_id AND s.pipeline_id = d.pipeline_id)
                SELECT organization_id, generation, opportunity_id, stage_id, pipeline_id, created_at, owner_id::text, team_id, segment, source,
                       status = 'won' OR (array_agg(highest_after ORDER BY entered_at))[1] > min("order"),
                       coalesce(bool_or(exit = 'lost'), false),
                       CASE WHEN count(*) = count(exited_day) THEN sum(exited_day - entered_day)::int END,
                       CASE WHEN count(*) > count(exited_day)
                            THEN min(entered_day) FILTER (WHERE exited_day IS NULL) - coalesce(sum(exited_day - entered_day), 0)::int END
                FROM stays
                GROUP BY organization_id, generation, opportunity_id, stage_id, pipeline_id, created_at, owner_id, team_id, segment, source, status;
            END
            $fn$;

            -- The deal_stages rows the deals have now (SQL, inlined where it is used).
            CREATE FUNCTION deal_stages_stored(organizations uuid[], generations integer[], opportunities uuid[]) RETURNS SETOF deal_stages
            LANGUAGE sql STABLE AS $fn$
                SELECT e.* FROM deal_stages e JOIN unnest(organizations, generations, opportunities) AS a(organization_id, generation, opportunity_id)
                  ON e.organization_id = a.organization_id AND e.generation = a.generation AND e.opportunity_id = a.opportunity_id
            $fn$;

            -- Brings the deals' deal_stages rows up to date: only rows that differ are deleted and inserted, so the
            -- rollups change only when a figure does.
            CREATE FUNCTION refresh_deal_stages(organizations uuid[], generations integer[], opportunities uuid[]) RETURNS void LANGUAGE plpgsql
            SET plan_cache_mode = force_generic_plan AS $fn$
            BEGIN
                IF coalesce(cardinality(opportunities), 0) = 0 THEN
                    RETURN;
                END IF;

                -- A projected event's few deals: generic plans, made once per session (re-planned for each event's
                -- arrays, an event spent 1 ms in the planner). A bulk load's thousands: plans for their size.
                IF cardinality(opportunities) > 1000 THEN
                    PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
                END IF;

                -- (A bulk load's new deals have no rows yet: skip computing their rows twice.)
                IF EXISTS (SELECT FROM deal_stages_stored(organizations, generations, opportunities)) THEN
                    DELETE FROM deal_stages s
                    USING (SELECT * FROM deal_stages_stored(organizations, generations, opportunities)
                           EXCEPT SELECT * FROM deal_stages_of(organizations, generations, opportunities)) x
                    WHERE s.organization_id = x.organization_id AND s.generation = x.generation AND s.opportunity_id = x.opportunity_id AND s.stage_id = x.stage_id;
                END IF;

                INSERT INTO deal_stages
                SELECT * FROM deal_stages_of(organizations, generations, opportunities)
                EXCEPT
                SELECT * FROM deal_stages_stored(organizations, generations, opportunities);
            END
            $fn$;

            -- The projection rewrites a deal's stays in one statement (deleting and inserting) at each of its events,
            -- and only deletes them with the deal (which deletes its rows): the inserted stays say which deals to refresh.
            CREATE FUNCTION stage_intervals_changed_stages() RETURNS trigger LANGUAGE plpgsql AS $fn$
            DECLARE
                organizations uuid[];
                generations integer[];
                opportunities uuid[];
            BEGIN
                SELECT array_agg(organization_id), array_agg(generation), array_agg(opportunity_id) INTO organizations, generations, opportunities
                FROM (SELECT DISTINCT organization_id, generation, opportunity_id FROM new_stays) c;
                PERFORM refresh_deal_stages(organizations, generations, opportunities);
                RETURN NULL;
            END
            $fn$;

            CREATE TRIGGER stage_intervals_inserted_stages AFTER INSERT ON stage_intervals REFERENCING NEW TABLE AS new_stays FOR EACH STATEMENT EXECUTE FUNCTION stage_intervals_changed_stages();
            CREATE TRIGGER stage_intervals_updated_stages AFTER UPDATE ON stage_intervals REFERENCING NEW TABLE AS new_stays FOR EACH STATEMENT EXECUTE FUNCTION stage_intervals_changed_stages();

            -- The deal's dimensions and outcome are copied into its rows: refresh when one of them changes (most
            -- updates, an amount or a decision date, change none), or when a deal arrives after its stays.
            CREATE FUNCTION deals_changed_stages() RETURNS trigger LANGUAGE plpgsql AS $fn$
            DECLARE
                organizations uuid[];
                generations integer[];
                opportunities uuid[];
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    DELETE FROM deal_stages s USING old_deals o
                    WHERE s.organization_id = o.organization_id AND s.generation = o.generation AND s.opportunity_id = o.opportunity_id;
                    RETURN NULL;
                ELSIF TG_OP = 'INSERT' THEN
                    SELECT array_agg(n.organization_id), array_agg(n.generation), array_agg(n.opportunity_id) INTO organizations, generations, opportunities
                    FROM new_deals n
                    WHERE EXISTS (SELECT FROM stage_intervals i WHERE i.organization_id = n.organization_id AND i.generation = n.generation AND i.opportunity_id = n.opportunity_id);
                ELSE
                    SELECT array_agg(n.organization_id), array_agg(n.generation), array_agg(n.opportunity_id) INTO organizations, generations, opportunities
                    FROM new_deals n
                    JOIN old_deals o ON o.organization_id = n.organization_id AND o.generation = n.generation AND o.opportunity_id = n.opportunity_id
                    WHERE (n.status, n.pipeline_id, n.owner_id, n.team_id, n.segment, n.source, n.created_at)
                          IS DISTINCT FROM (o.status, o.pipeline_id, o.owner_id, o.team_id, o.segment, o.source, o.created_at);
                END IF;

                PERFORM refresh_deal_stages(organizations, generations, opportunities);
                RETURN NULL;
            END
            $fn$;

            CREATE TRIGGER deals_inserted_stages AFTER INSERT ON deals REFERENCING NEW TABLE AS new_deals FOR EACH STATEMENT EXECUTE FUNCTION deals_changed_stages();
            CREATE TRIGGER deals_updated_stages AFTER UPDATE ON deals REFERENCING OLD TABLE AS old_deals NEW TABLE AS new_deals FOR EACH STATEMENT EXECUTE FUNCTION deals_changed_stages();
            CREATE TRIGGER deals_deleted_stages AFTER DELETE ON deals REFERENCING OLD TABLE AS old_deals FOR EACH STATEMENT EXECUTE FUNCTION deals_changed_stages();

            -- "A later stage" follows the pipeline's order: reordering stages refreshes the pipeline's deals (rare, and
            -- as long as the pipeline is big); a stage arriving after stays in it (events out of order) refreshes those.
            CREATE FUNCTION pipeline_stages_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
            DECLARE
                organizations uuid[];
                generations integer[];
                opportunities uuid[];
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    SELECT array_agg(organization_id), array_agg(generation), array_agg(opportunity_id) INTO organizations, generations, opportunities
                    FROM (SELECT DISTINCT i.organization_id, i.generation, i.opportunity_id FROM stage_intervals i
                          JOIN new_stages n ON n.organization_id = i.organization_id AND n.stage_id = i.stage_id) c;
                ELSE
                    SELECT array_agg(d.organization_id), array_agg(d.generation), array_agg(d.opportunity_id) INTO organizations, generations, opportunities
                    FROM deals d
                    JOIN (SELECT DISTINCT n.organization_id, n.pipeline_id FROM new_stages n
                          JOIN old_stages o ON o.organization_id = n.organization_id AND o.stage_id = n.stage_id
                          WHERE (n."order", n.pipeline_id) IS DISTINCT FROM (o."order", o.pipeline_id)) p
                      ON p.organization_id = d.organization_id AND p.pipeline_id = d.pipeline_id;
                END IF;

                PERFORM refresh_deal_stages(organizations, generations, opportunities);
                RETURN NULL;
            END
            $fn$;

            CREATE TRIGGER pipeline_stages_inserted AFTER INSERT ON pipeline_stages REFERENCING NEW TABLE AS new_stages FOR EACH STATEMENT EXECUTE FUNCTION pipeline_stages_changed();
            CREATE TRIGGER pipeline_stages_updated AFTER UPDATE ON pipeline_stages REFERENCING OLD TABLE AS old_stages NEW TABLE AS new_stages FOR EACH STATEMENT EXECUTE FUNCTION pipeline_stages_changed();
            """;

        private const string Rollups = """
            -- Per stage and cohort day and month (measure 'stays'): entered, advanced, lost there, the days of those out
            -- of the stage, and how many are still in it since which days (average = (days_sum + in_stage × today −
            -- in_since_sum) ÷ entered, in days since 1970-01-01). Measure 'time': how many spent each number of days
            -- (days) or are in the stage since each day (in_since), not per owner.
            CREATE TABLE stage_rollups (
                organization_id uuid NOT NULL,
                generation integer NOT NULL,
                measure text NOT NULL,
                dims text NOT NULL,
                grain "char" NOT NULL,
                day date,
                pipeline_id uuid,
                stage_id uuid,
                owner_id text,
                team_id uuid,
                segment text,
                source text,
                days integer,
                in_since date,
                entered bigint NOT NULL,
                advanced bigint NOT NULL,
                lost bigint NOT NULL,
                days_sum bigint NOT NULL,
                in_stage bigint NOT NULL,
                in_since_sum bigint NOT NULL
            );
            CREATE UNIQUE INDEX ux_stage_rollups ON stage_rollups (organization_id, generation, measure, dims, grain, day, pipeline_id, stage_id, owner_id, team_id, segment, source, days, in_since) NULLS NOT DISTINCT;
            CREATE INDEX ix_stage_rollups_owner ON stage_rollups (organization_id, generation, owner_id, measure, grain, day) WHERE dims IN ('owner', 'all');

            -- Appended by the triggers, folded into stage_rollups by the service's folder (as deal_rollup_deltas).
            CREATE TABLE stage_rollup_deltas (LIKE stage_rollups);

            CREATE FUNCTION stage_rollups_statement(changes text, as_deltas boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
                SELECT format($sql$
                    WITH changed AS (%s),
                    facts AS (
                        SELECT d.*, (d.created_at AT TIME ZONE 'UTC')::date AS created_day
                        FROM changed d
                        JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation),
                    contributions AS (
                        SELECT organization_id, generation, 'stays' AS measure, created_day AS day, pipeline_id, stage_id, owner_id, team_id, segment, source,
                               NULL::int AS days, NULL::date AS in_since, sign AS entered, CASE WHEN advanced THEN sign ELSE 0 END AS advanced,
                               CASE WHEN lost THEN sign ELSE 0 END AS lost, sign * coalesce(days, 0) AS days_sum,
                               CASE WHEN in_since IS NOT NULL THEN sign ELSE 0 END AS in_stage, sign * coalesce(in_since - DATE '1970-01-01', 0) AS in_since_sum
                        FROM facts
                        UNION ALL
                        SELECT organization_id, generation, 'time', created_day, pipeline_id, stage_id, NULL, team_id, segment, source,
                               days, in_since, sign, 0, 0, 0, 0, 0
                        FROM facts)
                    INSERT INTO %s AS r (organization_id, generation, measure, dims, grain, day, pipeline_id, stage_id, owner_id, team_id, segment, source,
                                         days, in_since, entered, advanced, lost, days_sum, in_stage, in_since_sum)
                    SELECT c.organization_id, c.generation, c.measure, k.dims, g.grain, CASE g.grain WHEN 'm' THEN date_trunc('month', c.day)::date ELSE c.day END,
                           c.pipeline_id, c.stage_id, CASE WHEN k.dims IN ('all', 'owner') THEN c.owner_id END, c.team_id,
                           CASE WHEN k.dims IN ('all', 'segment') THEN c.segment END, CASE WHEN k.dims IN ('all', 'source') THEN c.source END,
                           c.days, c.in_since, sum(c.entered), sum(c.advanced), sum(c.lost), sum(c.days_sum), sum(c.in_stage), sum(c.in_since_sum)
                    FROM contributions c
                    CROSS JOIN (VALUES ('d'::"char"), ('m'::"char")) AS g(grain)
                    CROSS JOIN (VALUES ('all'), ('base'), ('owner'), ('segment'), ('source')) AS k(dims)
                    WHERE k.dims IN ('base', 'segment', 'source') OR c.measure <> 'time'
                    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
                    HAVING sum(c.entered) <> 0 OR sum(c.advanced) <> 0 OR sum(c.lost) <> 0 OR sum(c.days_sum) <> 0 OR sum(c.in_stage) <> 0 OR sum(c.in_since_sum) <> 0
                    %s
                    $sql$, changes, CASE WHEN as_deltas THEN 'stage_rollup_deltas' ELSE 'stage_rollups' END,
                    CASE WHEN as_deltas THEN '' ELSE $upsert$
                    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
                    ON CONFLICT (organization_id, generation, measure, dims, grain, day, pipeline_id, stage_id, owner_id, team_id, segment, source, days, in_since)
                    DO UPDATE SET entered = r.entered + excluded.entered, advanced = r.advanced + excluded.advanced, lost = r.lost + excluded.lost,
                                  days_sum = r.days_sum + excluded.days_sum, in_stage = r.in_stage + excluded.in_stage, in_since_sum = r.in_since_sum + excluded.in_since_sum
                    $upsert$ END)
            $fn$;

            CREATE FUNCTION apply_stage_rollups(changes text) RETURNS void LANGUAGE plpgsql AS $fn$
            BEGIN
                EXECUTE stage_rollups_statement(changes, false);
            END
            $fn$;

            -- Folds up to 50,000 deltas a call, as fold_deal_rollup_deltas now does.
            CREATE FUNCTION fold_stage_rollup_deltas() RETURNS bigint LANGUAGE plpgsql AS $fn$
            DECLARE
                moved bigint;
            BEGIN
                IF NOT pg_try_advisory_xact_lock(hashtext('fold_stage_rollup_deltas')) THEN
                    RETURN 0;
                END IF;

                WITH taken AS (DELETE FROM stage_rollup_deltas WHERE ctid = ANY (ARRAY(SELECT ctid FROM stage_rollup_deltas LIMIT 50000)) RETURNING *),
                counted AS (SELECT count(*) AS n FROM taken),
                folded AS (
                    INSERT INTO stage_rollups AS r
                    SELECT organization_id, generation, measure, dims, grain, day, pipeline_id, stage_id, owner_id, team_id, segment, source,
                           days, in_since, sum(entered), sum(advanced), sum(lost), sum(days_sum), sum(in_stage), sum(in_since_sum)
                    FROM taken
                    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
                    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
                    ON CONFLICT (organization_id, generation, measure, dims, grain, day, pipeline_id, stage_id, owner_id, team_id, segment, source, days, in_since)
                    DO UPDATE SET entered = r.entered + excluded.entered, advanced = r.advanced + excluded.advanced, lost = r.lost + excluded.lost,
                                  days_sum = r.days_sum + excluded.days_sum, in_stage = r.in_stage + excluded.in_stage, in_since_sum = r.in_since_sum + excluded.in_since_sum)
                SELECT n INTO moved FROM counted;
                RETURN moved;
            END
            $fn$;

            -- The rollup triggers run their statements as static SQL, generated here from the statement functions (so
            -- they stay defined once; regenerate the triggers when those change). Run with EXECUTE, a statement is
            -- planned at every projected event: 1–2 ms each, most of a projection's database time.
            DO $generate$
            BEGIN
                EXECUTE format($trigger$
                    CREATE FUNCTION deal_stages_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
                    BEGIN
                        -- As for deals: only the readers' generation has rollups.
                        IF TG_OP = 'INSERT' THEN
                            IF EXISTS (SELECT FROM new_rows d JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation) THEN
                                %s;
                            END IF;
                        ELSIF EXISTS (SELECT FROM old_rows d JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation) THEN
                            %s;
                        END IF;
                        RETURN NULL;
                    END
                    $fn$
                    $trigger$,
                    stage_rollups_statement('SELECT *, 1 AS sign FROM new_rows', true), stage_rollups_statement('SELECT *, -1 AS sign FROM old_rows', true));

                -- The deals' trigger (ReportRollups), the same way. Kept by Down: the same statements, planned once.
                EXECUTE format($trigger$
                    CREATE OR REPLACE FUNCTION deals_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
                    BEGIN
                        IF TG_OP = 'DELETE' THEN
                            IF EXISTS (SELECT FROM old_deals d JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation) THEN
                                %s;
                            END IF;
                        ELSIF NOT EXISTS (SELECT FROM new_deals d JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation) THEN
                            RETURN NULL;
                        ELSIF TG_OP = 'INSERT' THEN
                            %s;
                        ELSE
                            %s;
                        END IF;
                        RETURN NULL;
                    END
                    $fn$
                    $trigger$,
                    deal_rollups_statement('SELECT *, -1 AS sign FROM old_deals', true), deal_rollups_statement('SELECT *, 1 AS sign FROM new_deals', true),
                    deal_rollups_statement('SELECT *, -1 AS sign FROM old_deals UNION ALL SELECT *, 1 FROM new_deals', true));
            END
            $generate$;

            -- The deals' folder, now up to 50,000 deltas a call: a bulk load leaves millions, which one transaction
            -- folded for longer than the service's command timeout (30 s), to be rolled back and started again at
            -- every turn. Kept by Down: it folds the same way, in smaller steps.
            CREATE OR REPLACE FUNCTION fold_deal_rollup_deltas() RETURNS bigint LANGUAGE plpgsql AS $fn$
            DECLARE
                moved bigint;
            BEGIN
                IF NOT pg_try_advisory_xact_lock(hashtext('fold_deal_rollup_deltas')) THEN
                    RETURN 0;
                END IF;

                WITH taken AS (DELETE FROM deal_rollup_deltas WHERE ctid = ANY (ARRAY(SELECT ctid FROM deal_rollup_deltas LIMIT 50000)) RETURNING *),
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

            -- deal_stages rows are only ever inserted and deleted (refresh_deal_stages).
            CREATE TRIGGER deal_stages_inserted AFTER INSERT ON deal_stages REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deal_stages_changed();
            CREATE TRIGGER deal_stages_deleted AFTER DELETE ON deal_stages REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION deal_stages_changed();
            """;
    }
}
