using System.Globalization;

namespace Pipeline.Web.Domain;

/// <summary>
/// The UI's texts in English and French, chosen by the browser's language (the request's UI culture). A key missing
/// in French falls back to English, never to the key. Each area of the UI keeps its texts in its own file
/// (Texts.Dashboard.cs, ...): properties, not fields, because the order in which partial files initialise fields is
/// not defined.
/// </summary>
public static partial class Texts
{
    private static readonly Dictionary<string, string> English = Merge(
        SalesEnglish, DashboardEnglish, ReviewEnglish, AutomationEnglish, NotificationsEnglish, ImportEnglish, AdminEnglish);

    private static readonly Dictionary<string, string> French = Merge(
        SalesFrench, DashboardFrench, ReviewFrench, AutomationFrench, NotificationsFrench, ImportFrench, AdminFrench);

    /// <summary>The sales team's screens (board, by date, list, agenda, the opportunity page).</summary>
    private static Dictionary<string, string> SalesEnglish => new()
    {
        ["Board"] = "Board", ["ByDate"] = "By decision date", ["Nav.ByDate"] = "By decision date", ["List"] = "Opportunities", ["Agenda"] = "Agenda", ["New"] = "New opportunity",
        ["SignedInAs"] = "Signed in as", ["SignOut"] = "Sign out", ["SignIn"] = "Sign in", ["SignInToSee"] = "to see your pipeline.",
        ["Pipeline"] = "Pipeline", ["Mine"] = "Mine", ["Owner"] = "Owner", ["Team"] = "Team", ["Segment"] = "Segment", ["Source"] = "Source",
        ["Search"] = "Search", ["Anyone"] = "Anyone", ["AnyTeam"] = "Any team", ["Deal"] = "deal", ["Deals"] = "deals", ["Weighted"] = "weighted",
        ["Won"] = "Won", ["Lost"] = "Lost", ["DropToWin"] = "Drop here to mark won", ["DropToLose"] = "Drop here to mark lost",
        ["MissingRates"] = "No exchange rate for {0}: those amounts are not in the converted totals.",
        ["Rotting"] = "Rotting: {0} days in this stage (over {1})", ["Next"] = "Next", ["NoNextActivity"] = "No next activity",
        ["ShowMore"] = "Show more", ["Overdue"] = "Overdue", ["Undated"] = "No date", ["Pushed"] = "Pushed {0}×",
        ["Stale"] = "This deal was changed meanwhile: it is back at its true place with the latest data.",
        ["Conflict"] = "Someone changed this deal at the same moment: it is back at its true place with the latest data.",
        ["Refused"] = "This move is not possible: {0}", ["Unavailable"] = "The service did not answer: the deal is shown as it is saved. Try again in a moment.", ["Forbidden"] = "You may not change this deal.",
        ["Moved"] = "{0} moved to {1}.",
        ["PickedUp"] = "{0} picked up. Left and right arrows choose a column, Space drops, Escape cancels.",
        ["Over"] = "{0} over {1}.", ["Cancelled"] = "Move of {0} cancelled.", ["CardHelp"] = "Press Space to pick up and move with the arrow keys.",
        ["LostReason"] = "Why was it lost?", ["Confirm"] = "Confirm", ["Cancel"] = "Cancel", ["Save"] = "Save",
        ["MarkedWon"] = "{0} won.", ["MarkedLost"] = "{0} lost.", ["DecisionDate"] = "Decision date", ["Amount"] = "Amount",
        ["Currency"] = "Currency", ["Title"] = "Title", ["Account"] = "Account", ["Contact"] = "Contact", ["ContactEmail"] = "Contact e-mail",
        ["Probability"] = "Probability (%)", ["Stage"] = "Stage", ["Status"] = "Status", ["History"] = "History", ["Quotes"] = "Quotes",
        ["Activities"] = "Activities", ["Win"] = "Mark won", ["Lose"] = "Mark lost", ["Reopen"] = "Reopen", ["StagePath"] = "Stage path",
        ["NewQuote"] = "New quote", ["ValidUntil"] = "Valid until", ["Send"] = "Send", ["Accept"] = "Accept", ["Decline"] = "Decline",
        ["Schedule"] = "Schedule", ["Subject"] = "Subject", ["Type"] = "Type", ["Due"] = "Due", ["Complete"] = "Complete", ["Done"] = "Done",
        ["Today"] = "Today", ["Upcoming"] = "Upcoming", ["Nothing"] = "Nothing here.", ["Create"] = "Create",
        ["Export"] = "Export CSV", ["LoadMore"] = "Load more", ["Saved"] = "Saved.", ["Opportunity"] = "Opportunity",
        ["Live"] = "Live", ["Offline"] = "Live updates off", ["Saving"] = "Saving…", ["Open"] = "Open", ["All"] = "All",
        ["Created"] = "Created", ["DealCreated"] = "Opportunity created",
        ["Activity.call"] = "Call", ["Activity.email"] = "E-mail", ["Activity.meeting"] = "Meeting", ["Activity.task"] = "Task",
        ["Quote.draft"] = "Draft", ["Quote.sent"] = "Sent", ["Quote.accepted"] = "Accepted", ["Quote.declined"] = "Declined", ["Quote.expired"] = "Expired",
        ["SalesMeeting"] = "Run the sales meeting here: drag a deal to another month to change its expected decision date.",
        ["NotFound"] = "Not found.",
        ["Dashboard"] = "Dashboard", ["Review"] = "Pipeline review", ["Nav.Review"] = "Pipeline review", ["Automation"] = "Automation", ["Notifications"] = "Notifications",
        ["ImportExport"] = "Import and export", ["Admin"] = "Admin", ["Pipelines"] = "Pipelines and stages", ["Organization"] = "Organisation",
        ["ExchangeRates"] = "Exchange rates", ["Webhooks"] = "Webhooks", ["ApiClients"] = "API clients", ["Preferences"] = "Notification preferences",
        ["AdminMenu"] = "Administration menu", ["NotAllowed"] = "Your role does not give access to this page.",
    };

    private static Dictionary<string, string> SalesFrench => new()
    {
        ["Board"] = "Tableau", ["ByDate"] = "Par date de décision", ["Nav.ByDate"] = "Par date", ["List"] = "Opportunités", ["Agenda"] = "Relances", ["New"] = "Nouvelle opportunité",
        ["SignedInAs"] = "Connecté en tant que", ["SignOut"] = "Se déconnecter", ["SignIn"] = "Se connecter", ["SignInToSee"] = "pour voir votre pipeline.",
        ["Pipeline"] = "Pipeline", ["Mine"] = "Les miennes", ["Owner"] = "Responsable", ["Team"] = "Équipe", ["Segment"] = "Segment", ["Source"] = "Source",
        ["Search"] = "Rechercher", ["Anyone"] = "Tout le monde", ["AnyTeam"] = "Toutes les équipes", ["Deal"] = "affaire", ["Deals"] = "affaires", ["Weighted"] = "pondéré",
        ["Won"] = "Gagnée", ["Lost"] = "Perdue", ["DropToWin"] = "Déposer ici : gagnée", ["DropToLose"] = "Déposer ici : perdue",
        ["MissingRates"] = "Pas de taux de change pour {0} : ces montants ne sont pas dans les totaux convertis.",
        ["Rotting"] = "En souffrance : {0} jours dans cette étape (plus de {1})", ["Next"] = "Prochaine", ["NoNextActivity"] = "Aucune activité prévue",
        ["ShowMore"] = "Afficher plus", ["Overdue"] = "En retard", ["Undated"] = "Sans date", ["Pushed"] = "Repoussée {0}×",
        ["Stale"] = "Cette affaire a changé entre-temps : elle est revenue à sa vraie place avec ses dernières données.",
        ["Conflict"] = "Quelqu'un a modifié cette affaire au même moment : elle est revenue à sa vraie place avec ses dernières données.",
        ["Refused"] = "Ce déplacement est impossible : {0}", ["Unavailable"] = "Le service n'a pas répondu : l'affaire est affichée telle qu'elle est enregistrée. Réessayez dans un instant.", ["Forbidden"] = "Vous ne pouvez pas modifier cette affaire.",
        ["Moved"] = "{0} déplacée vers {1}.",
        ["PickedUp"] = "{0} saisie. Flèches gauche et droite pour choisir une colonne, Espace pour déposer, Échap pour annuler.",
        ["Over"] = "{0} au-dessus de {1}.", ["Cancelled"] = "Déplacement de {0} annulé.", ["CardHelp"] = "Espace pour saisir, puis les flèches pour déplacer.",
        ["LostReason"] = "Pourquoi a-t-elle été perdue ?", ["Confirm"] = "Confirmer", ["Cancel"] = "Annuler", ["Save"] = "Enregistrer",
        ["MarkedWon"] = "{0} gagnée.", ["MarkedLost"] = "{0} perdue.", ["DecisionDate"] = "Date de décision", ["Amount"] = "Montant",
        ["Currency"] = "Devise", ["Title"] = "Titre", ["Account"] = "Compte", ["Contact"] = "Contact", ["ContactEmail"] = "E-mail du contact",
        ["Probability"] = "Probabilité (%)", ["Stage"] = "Étape", ["Status"] = "Statut", ["History"] = "Historique", ["Quotes"] = "Devis",
        ["Activities"] = "Activités", ["Win"] = "Marquer gagnée", ["Lose"] = "Marquer perdue", ["Reopen"] = "Rouvrir", ["StagePath"] = "Parcours",
        ["NewQuote"] = "Nouveau devis", ["ValidUntil"] = "Valable jusqu'au", ["Send"] = "Envoyer", ["Accept"] = "Accepter", ["Decline"] = "Refuser",
        ["Schedule"] = "Planifier", ["Subject"] = "Objet", ["Type"] = "Type", ["Due"] = "Échéance", ["Complete"] = "Terminer", ["Done"] = "Fait",
        ["Today"] = "Aujourd'hui", ["Upcoming"] = "À venir", ["Nothing"] = "Rien ici.", ["Create"] = "Créer",
        ["Export"] = "Exporter en CSV", ["LoadMore"] = "Charger plus", ["Saved"] = "Enregistré.", ["Opportunity"] = "Opportunité",
        ["Live"] = "En direct", ["Offline"] = "Mises à jour en direct coupées", ["Saving"] = "Enregistrement…", ["Open"] = "Ouverte", ["All"] = "Toutes",
        ["Created"] = "Création", ["DealCreated"] = "Opportunité créée",
        ["Activity.call"] = "Appel", ["Activity.email"] = "E-mail", ["Activity.meeting"] = "Rendez-vous", ["Activity.task"] = "Tâche",
        ["Quote.draft"] = "Brouillon", ["Quote.sent"] = "Envoyé", ["Quote.accepted"] = "Accepté", ["Quote.declined"] = "Refusé", ["Quote.expired"] = "Expiré",
        ["SalesMeeting"] = "Menez la réunion commerciale ici : glissez une affaire vers un autre mois pour changer sa date de décision prévue.",
        ["NotFound"] = "Introuvable.",
        ["Dashboard"] = "Tableau de bord", ["Review"] = "Revue du pipeline", ["Nav.Review"] = "Revue", ["Automation"] = "Automatisation", ["Notifications"] = "Notifications",
        ["ImportExport"] = "Import et export", ["Admin"] = "Admin", ["Pipelines"] = "Pipelines et étapes", ["Organization"] = "Organisation",
        ["ExchangeRates"] = "Taux de change", ["Webhooks"] = "Webhooks", ["ApiClients"] = "Clients d'API", ["Preferences"] = "Préférences de notification",
        ["AdminMenu"] = "Menu d'administration", ["NotAllowed"] = "Votre rôle ne donne pas accès à cette page.",
    };

    /// <summary>One dictionary of several; a key defined twice is a mistake, and fails at the first text shown.</summary>
    private static Dictionary<string, string> Merge(params Dictionary<string, string>[] areas)
    {
        var all = new Dictionary<string, string>();
        foreach (var (key, text) in areas.SelectMany(area => area))
        {
            if (!all.TryAdd(key, text))
            {
                throw new InvalidOperationException($"The text '{key}' is defined twice.");
            }
        }

        return all;
    }

    public static bool IsFrench => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "fr";

    public static string Get(string key) =>
        (IsFrench && French.TryGetValue(key, out var french) ? french : null) ?? English.GetValueOrDefault(key, key);

    public static string Get(string key, params object?[] values) => string.Format(CultureInfo.CurrentCulture, Get(key), values);

    /// <summary>"1 deal", "2,100 deals"; French takes the singular for 0 and 1 too ("0 affaire").</summary>
    public static string Deals(int count) =>
        $"{count.ToString("N0", CultureInfo.CurrentCulture)} {Get((IsFrench ? count <= 1 : count == 1) ? "Deal" : "Deals")}";

    /// <summary>Every key has a French text (a unit test holds the two lists together).</summary>
    public static IEnumerable<string> MissingInFrench => English.Keys.Except(French.Keys);
}
