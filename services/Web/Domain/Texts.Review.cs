namespace Pipeline.Web.Domain;

/// <summary>The pipeline review of the sales meeting.</summary>
public static partial class Texts
{
    private static Dictionary<string, string> ReviewEnglish => new()
    {
        ["Review.Intro"] = "What changed in the pipeline since a day: the figures for the sales meeting, then each deal with its changes.",
        ["Review.Since"] = "Changes since", ["Review.UntilNow"] = "until now", ["Review.Totals"] = "What changed",
        ["Review.Total.created"] = "New deals", ["Review.Total.won"] = "Won", ["Review.Total.lost"] = "Lost",
        ["Review.Total.movedForward"] = "Moved forward", ["Review.Total.movedBackward"] = "Moved back", ["Review.Total.pushed"] = "Decision pushed",
        ["Review.Total.pulled"] = "Decision pulled in", ["Review.Total.amountUp"] = "Amounts raised", ["Review.Total.amountDown"] = "Amounts lowered",
        ["Review.Total.openDelta"] = "Open pipeline change", ["Review.Total.weightedDelta"] = "Weighted pipeline change",
        ["Review.ChangedDeals"] = "Changed deals, latest first", ["Review.NothingChanged"] = "Nothing changed in this period.",
        ["Review.Badge.created"] = "new", ["Review.Badge.won"] = "won", ["Review.Badge.lost"] = "lost", ["Review.Badge.reopened"] = "reopened",
        ["Review.Badge.movedForward"] = "forward", ["Review.Badge.movedBackward"] = "back", ["Review.Badge.moved"] = "moved",
        ["Review.Badge.pushed"] = "pushed", ["Review.Badge.pulled"] = "pulled in", ["Review.Badge.amountUp"] = "amount up",
        ["Review.Badge.amountDown"] = "amount down", ["Review.Badge.currencyChanged"] = "currency", ["Review.Badge.probabilityChanged"] = "probability",
        ["Review.Change.created"] = "Created in {0}", ["Review.Change.reopened"] = "Reopened in {0}", ["Review.Change.won"] = "Won",
        ["Review.Change.lost"] = "Lost", ["Review.Change.lostBecause"] = "Lost: {0}",
        ["Review.Change.movedForward"] = "Moved forward from {0} to {1}", ["Review.Change.movedBackward"] = "Moved back from {0} to {1}",
        ["Review.Change.moved"] = "Moved from {0} to {1}",
        ["Review.Change.pushed"] = "Decision date pushed from {0} to {1}", ["Review.Change.pulled"] = "Decision date pulled in from {0} to {1}",
        ["Review.Change.amountUp"] = "Amount raised from {0} to {1}", ["Review.Change.amountDown"] = "Amount lowered from {0} to {1}",
        ["Review.Change.currencyChanged"] = "Amount changed from {0} to {1}", ["Review.Change.probabilityChanged"] = "Probability changed from {0} to {1}",
        ["Review.ShowChanges"] = "Show changes", ["Review.ChangedSince"] = "Changed since {0}", ["Review.More"] = "More changed deals in the pipeline review",
    };

    private static Dictionary<string, string> ReviewFrench => new()
    {
        ["Review.Intro"] = "Ce qui a changé dans le pipeline depuis un jour donné : les chiffres de la réunion commerciale, puis chaque affaire et ses changements.",
        ["Review.Since"] = "Changements depuis le", ["Review.UntilNow"] = "jusqu'à maintenant", ["Review.Totals"] = "Ce qui a changé",
        ["Review.Total.created"] = "Nouvelles affaires", ["Review.Total.won"] = "Gagnées", ["Review.Total.lost"] = "Perdues",
        ["Review.Total.movedForward"] = "Avancées d'étape", ["Review.Total.movedBackward"] = "Reculées d'étape", ["Review.Total.pushed"] = "Décisions repoussées",
        ["Review.Total.pulled"] = "Décisions rapprochées", ["Review.Total.amountUp"] = "Montants relevés", ["Review.Total.amountDown"] = "Montants baissés",
        ["Review.Total.openDelta"] = "Variation du pipeline ouvert", ["Review.Total.weightedDelta"] = "Variation du pipeline pondéré",
        ["Review.ChangedDeals"] = "Affaires modifiées, les plus récentes d'abord", ["Review.NothingChanged"] = "Rien n'a changé dans cette période.",
        ["Review.Badge.created"] = "nouvelle", ["Review.Badge.won"] = "gagnée", ["Review.Badge.lost"] = "perdue", ["Review.Badge.reopened"] = "rouverte",
        ["Review.Badge.movedForward"] = "avance", ["Review.Badge.movedBackward"] = "recule", ["Review.Badge.moved"] = "déplacée",
        ["Review.Badge.pushed"] = "repoussée", ["Review.Badge.pulled"] = "rapprochée", ["Review.Badge.amountUp"] = "montant en hausse",
        ["Review.Badge.amountDown"] = "montant en baisse", ["Review.Badge.currencyChanged"] = "devise", ["Review.Badge.probabilityChanged"] = "probabilité",
        ["Review.Change.created"] = "Créée dans {0}", ["Review.Change.reopened"] = "Rouverte dans {0}", ["Review.Change.won"] = "Gagnée",
        ["Review.Change.lost"] = "Perdue", ["Review.Change.lostBecause"] = "Perdue : {0}",
        ["Review.Change.movedForward"] = "Avancée de {0} à {1}", ["Review.Change.movedBackward"] = "Reculée de {0} à {1}",
        ["Review.Change.moved"] = "Déplacée de {0} à {1}",
        ["Review.Change.pushed"] = "Date de décision repoussée du {0} au {1}", ["Review.Change.pulled"] = "Date de décision rapprochée du {0} au {1}",
        ["Review.Change.amountUp"] = "Montant relevé de {0} à {1}", ["Review.Change.amountDown"] = "Montant baissé de {0} à {1}",
        ["Review.Change.currencyChanged"] = "Montant changé de {0} à {1}", ["Review.Change.probabilityChanged"] = "Probabilité changée de {0} à {1}",
        ["Review.ShowChanges"] = "Afficher les changements", ["Review.ChangedSince"] = "Modifiées depuis le {0}", ["Review.More"] = "D'autres affaires modifiées dans la revue du pipeline",
    };
}
