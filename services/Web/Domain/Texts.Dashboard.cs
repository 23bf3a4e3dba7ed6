namespace Pipeline.Web.Domain;

/// <summary>The KPI dashboard.</summary>
public static partial class Texts
{
    private static Dictionary<string, string> DashboardEnglish => new()
    {
        ["Dashboard.AsOf"] = "Figures as of {0}", ["Dashboard.PeriodLine"] = "From {0} to {1}", ["Dashboard.Filters"] = "Report filters",
        ["Dashboard.Period"] = "Period", ["Dashboard.From"] = "From", ["Dashboard.To"] = "To", ["Dashboard.AnyPipeline"] = "All pipelines",
        ["Dashboard.Period.month"] = "This month", ["Dashboard.Period.quarter"] = "This quarter", ["Dashboard.Period.year"] = "This year",
        ["Dashboard.Period.12m"] = "Last 12 months", ["Dashboard.Period.fiscal-quarter"] = "This fiscal quarter",
        ["Dashboard.Period.fiscal-year"] = "This fiscal year", ["Dashboard.Period.custom"] = "Custom period",
        ["Dashboard.Kpis"] = "Key figures", ["Dashboard.ConversionRate"] = "Pipeline conversion", ["Dashboard.ConversionDetail"] = "won of {0} created in the period",
        ["Dashboard.WinRate"] = "Win rate", ["Dashboard.WinRateDetail"] = "{0} won, {1} lost", ["Dashboard.AverageCycle"] = "Average sales cycle",
        ["Dashboard.MedianCycle"] = "Median sales cycle", ["Dashboard.CycleDetail"] = "creation to won, deals won in the period",
        ["Dashboard.DaysValue"] = "{0} days", ["Dashboard.Velocity"] = "Sales velocity", ["Dashboard.PerDay"] = "{0}/day",
        ["Dashboard.VelocityDetail"] = "open deals × win rate × average won ÷ cycle", ["Dashboard.OpenPipeline"] = "Open pipeline",
        ["Dashboard.WeightedPipeline"] = "Weighted pipeline", ["Dashboard.WeightedDetail"] = "amount × probability",
        ["Dashboard.CsvOf"] = "Download {0} as CSV", ["Dashboard.Forbidden"] = "You may not read these figures.",
        ["Dashboard.Funnel"] = "Funnel: {0}", ["Dashboard.FunnelNote"] = "Deals that entered each stage in the period, went on to a later one, or were lost in it. A stage opens its open deals.",
        ["Dashboard.Entered"] = "Entered", ["Dashboard.Advanced"] = "Advanced", ["Dashboard.LostInStage"] = "Lost in the stage",
        ["Dashboard.StageConversion"] = "Conversion", ["Dashboard.DropOff"] = "Drop-off", ["Dashboard.TimeInStage"] = "Average time in stage",
        ["Dashboard.OpenDealsOf"] = "Open deals in {0}",
        ["Dashboard.Forecast"] = "Forecast by decision month", ["Dashboard.ForecastNote"] = "Open and weighted amounts by expected decision date, won amounts by close month. A month opens its open deals.",
        ["Dashboard.Month"] = "Month", ["Dashboard.Count"] = "Deals", ["Dashboard.Open"] = "Open", ["Dashboard.Weighted"] = "Weighted", ["Dashboard.Won"] = "Won",
        ["Dashboard.Lost"] = "Lost", ["Dashboard.DealsDecidedIn"] = "Open deals decided in {0}",
        ["Dashboard.WinRateBy"] = "Win rate by {0}", ["Dashboard.WinLossNote"] = "Deals closed in the period. A bar or a row opens the won deals.",
        ["Dashboard.GroupBy"] = "Group by", ["Dashboard.GroupBy.segment"] = "segment", ["Dashboard.GroupBy.source"] = "source",
        ["Dashboard.GroupBy.owner"] = "owner", ["Dashboard.GroupBy.team"] = "team", ["Dashboard.AverageDealSize"] = "Average deal size",
        ["Dashboard.WonDealsOf"] = "Won deals of {0}", ["Dashboard.NoValue"] = "(none)",
        ["Dashboard.CycleBy"] = "Sales cycle by {0}",
        ["Dashboard.CycleNote"] = "Average days from creation to won per group, deals won in the period. All groups: average {0}, median {1}.",
    };

    private static Dictionary<string, string> DashboardFrench => new()
    {
        ["Dashboard.AsOf"] = "Chiffres au {0}", ["Dashboard.PeriodLine"] = "Du {0} au {1}", ["Dashboard.Filters"] = "Filtres des rapports",
        ["Dashboard.Period"] = "Période", ["Dashboard.From"] = "Du", ["Dashboard.To"] = "Au", ["Dashboard.AnyPipeline"] = "Tous les pipelines",
        ["Dashboard.Period.month"] = "Ce mois-ci", ["Dashboard.Period.quarter"] = "Ce trimestre", ["Dashboard.Period.year"] = "Cette année",
        ["Dashboard.Period.12m"] = "12 derniers mois", ["Dashboard.Period.fiscal-quarter"] = "Trimestre fiscal en cours",
        ["Dashboard.Period.fiscal-year"] = "Exercice en cours", ["Dashboard.Period.custom"] = "Période choisie",
        ["Dashboard.Kpis"] = "Chiffres clés", ["Dashboard.ConversionRate"] = "Conversion du pipeline", ["Dashboard.ConversionDetail"] = "gagnées sur {0} créées dans la période",
        ["Dashboard.WinRate"] = "Taux de réussite", ["Dashboard.WinRateDetail"] = "{0} gagnées, {1} perdues", ["Dashboard.AverageCycle"] = "Cycle de vente moyen",
        ["Dashboard.MedianCycle"] = "Cycle de vente médian", ["Dashboard.CycleDetail"] = "de la création au gain, affaires gagnées dans la période",
        ["Dashboard.DaysValue"] = "{0} jours", ["Dashboard.Velocity"] = "Vélocité des ventes", ["Dashboard.PerDay"] = "{0}/jour",
        ["Dashboard.VelocityDetail"] = "affaires ouvertes × taux de réussite × gain moyen ÷ cycle", ["Dashboard.OpenPipeline"] = "Pipeline ouvert",
        ["Dashboard.WeightedPipeline"] = "Pipeline pondéré", ["Dashboard.WeightedDetail"] = "montant × probabilité",
        ["Dashboard.CsvOf"] = "Télécharger {0} en CSV", ["Dashboard.Forbidden"] = "Vous ne pouvez pas consulter ces chiffres.",
        ["Dashboard.Funnel"] = "Entonnoir : {0}", ["Dashboard.FunnelNote"] = "Affaires entrées dans chaque étape pendant la période, passées à une étape suivante ou perdues dans l'étape. Une étape ouvre ses affaires en cours.",
        ["Dashboard.Entered"] = "Entrées", ["Dashboard.Advanced"] = "Avancées", ["Dashboard.LostInStage"] = "Perdues dans l'étape",
        ["Dashboard.StageConversion"] = "Conversion", ["Dashboard.DropOff"] = "Abandon", ["Dashboard.TimeInStage"] = "Temps moyen dans l'étape",
        ["Dashboard.OpenDealsOf"] = "Affaires en cours dans {0}",
        ["Dashboard.Forecast"] = "Prévision par mois de décision", ["Dashboard.ForecastNote"] = "Montants ouverts et pondérés par date de décision prévue, montants gagnés par mois de clôture. Un mois ouvre ses affaires en cours.",
        ["Dashboard.Month"] = "Mois", ["Dashboard.Count"] = "Affaires", ["Dashboard.Open"] = "Ouvert", ["Dashboard.Weighted"] = "Pondéré", ["Dashboard.Won"] = "Gagné",
        ["Dashboard.Lost"] = "Perdues", ["Dashboard.DealsDecidedIn"] = "Affaires en cours à décider en {0}",
        ["Dashboard.WinRateBy"] = "Taux de réussite par {0}", ["Dashboard.WinLossNote"] = "Affaires clôturées dans la période. Une barre ou une ligne ouvre les affaires gagnées.",
        ["Dashboard.GroupBy"] = "Regrouper par", ["Dashboard.GroupBy.segment"] = "segment", ["Dashboard.GroupBy.source"] = "source",
        ["Dashboard.GroupBy.owner"] = "responsable", ["Dashboard.GroupBy.team"] = "équipe", ["Dashboard.AverageDealSize"] = "Montant moyen gagné",
        ["Dashboard.WonDealsOf"] = "Affaires gagnées de {0}", ["Dashboard.NoValue"] = "(aucun)",
        ["Dashboard.CycleBy"] = "Cycle de vente par {0}",
        ["Dashboard.CycleNote"] = "Jours en moyenne de la création au gain par groupe, affaires gagnées dans la période. Tous groupes : moyenne {0}, médiane {1}.",
    };
}
