namespace Pipeline.Web.Domain;

/// <summary>Import and export.</summary>
public static partial class Texts
{
    private static Dictionary<string, string> ImportEnglish => new()
    {
        ["Import.Title"] = "Import", ["Import.Help"] = "Import deals from a CSV file. A Pipeline.Cloud export is imported as it is; another CRM's export first asks which column gives which field.",
        ["Import.Choose"] = "Choose a CSV file", ["Import.Reading"] = "Reading {0}…", ["Import.TooLarge"] = "{0} is larger than {1} MB: import it through the API (POST /api/opportunities/import).",
        ["Import.Mapping"] = "Which column gives which field?", ["Import.MappingHelp"] = "{0} is not in Pipeline.Cloud's format. For each of its columns, pick the field it gives, or ignore it.",
        ["Import.Column"] = "Column", ["Import.Sample"] = "First values", ["Import.Field"] = "Field", ["Import.Ignore"] = "Ignore",
        ["Import.FieldOf"] = "Field of the column {0}", ["Import.DateFormat"] = "Date format", ["Import.Start"] = "Import",
        ["Import.Refused"] = "The file was not accepted: {0}", ["Import.Forbidden"] = "You may not import deals: only the organisation's admins may.",
        ["Import.Running"] = "Importing", ["Import.Completed"] = "Completed", ["Import.Failed"] = "Stopped",
        ["Import.ProgressLabel"] = "Progress of the import", ["Import.Rows"] = "{0} of {1} rows", ["Import.Imported"] = "{0} imported", ["Import.RowsFailed"] = "{0} not imported",
        ["Import.Errors"] = "Lines not imported", ["Import.Line"] = "Line", ["Import.Reason"] = "Reason",
        ["Import.ErrorsKept"] = "The first {0} of {1} lines not imported are listed.", ["Import.Another"] = "Import another file",
        ["Import.Export"] = "Export", ["Import.ExportHelp"] = "Every deal of the organisation as a CSV file in Pipeline.Cloud's format, which imports back as it is.",
        ["Import.Download"] = "Download all deals (CSV)",
        ["Import.Field.title"] = "Title", ["Import.Field.accountName"] = "Account", ["Import.Field.contactName"] = "Contact",
        ["Import.Field.contactEmail"] = "Contact e-mail", ["Import.Field.amount"] = "Amount", ["Import.Field.currency"] = "Currency",
        ["Import.Field.pipeline"] = "Pipeline", ["Import.Field.stage"] = "Stage", ["Import.Field.status"] = "Status (open, won, lost)",
        ["Import.Field.expectedDecisionDate"] = "Expected decision date", ["Import.Field.createdAt"] = "Created on", ["Import.Field.closedAt"] = "Closed on",
        ["Import.Field.lostReason"] = "Lost reason", ["Import.Field.ownerEmail"] = "Owner's e-mail", ["Import.Field.source"] = "Source",
        ["Import.Field.segment"] = "Segment", ["Import.Field.history"] = "History (Pipeline.Cloud JSON)",
        ["Import.Field.stageOutcome"] = "Stage or outcome", ["Import.ValuesOf"] = "Values of {0}",
        ["Import.ValuesHelp"] = "What each value of the file means here. A value imported as it is must be a stage's name or open, won or lost; otherwise its lines are listed as not imported.",
        ["Import.AsInFile"] = "As in the file", ["Import.OpenIn"] = "Open, in {0}",
        ["Import.TooManyValues"] = "{0} has more than {1} different values: they are imported as they are.",
    };

    private static Dictionary<string, string> ImportFrench => new()
    {
        ["Import.Title"] = "Import", ["Import.Help"] = "Importez des affaires depuis un fichier CSV. Un export de Pipeline.Cloud s'importe tel quel ; l'export d'un autre CRM demande d'abord quelle colonne donne quel champ.",
        ["Import.Choose"] = "Choisir un fichier CSV", ["Import.Reading"] = "Lecture de {0}…", ["Import.TooLarge"] = "{0} dépasse {1} Mo : importez-le par l'API (POST /api/opportunities/import).",
        ["Import.Mapping"] = "Quelle colonne donne quel champ ?", ["Import.MappingHelp"] = "{0} n'est pas au format de Pipeline.Cloud. Pour chacune de ses colonnes, choisissez le champ qu'elle donne, ou ignorez-la.",
        ["Import.Column"] = "Colonne", ["Import.Sample"] = "Premières valeurs", ["Import.Field"] = "Champ", ["Import.Ignore"] = "Ignorer",
        ["Import.FieldOf"] = "Champ de la colonne {0}", ["Import.DateFormat"] = "Format des dates", ["Import.Start"] = "Importer",
        ["Import.Refused"] = "Le fichier n'a pas été accepté : {0}", ["Import.Forbidden"] = "Vous ne pouvez pas importer d'affaires : seuls les administrateurs de l'organisation le peuvent.",
        ["Import.Running"] = "Import en cours", ["Import.Completed"] = "Terminé", ["Import.Failed"] = "Interrompu",
        ["Import.ProgressLabel"] = "Avancement de l'import", ["Import.Rows"] = "{0} lignes sur {1}", ["Import.Imported"] = "{0} importées", ["Import.RowsFailed"] = "{0} non importées",
        ["Import.Errors"] = "Lignes non importées", ["Import.Line"] = "Ligne", ["Import.Reason"] = "Raison",
        ["Import.ErrorsKept"] = "Les {0} premières des {1} lignes non importées sont listées.", ["Import.Another"] = "Importer un autre fichier",
        ["Import.Export"] = "Export", ["Import.ExportHelp"] = "Toutes les affaires de l'organisation dans un fichier CSV au format de Pipeline.Cloud, qui se réimporte tel quel.",
        ["Import.Download"] = "Télécharger toutes les affaires (CSV)",
        ["Import.Field.title"] = "Titre", ["Import.Field.accountName"] = "Compte", ["Import.Field.contactName"] = "Contact",
        ["Import.Field.contactEmail"] = "E-mail du contact", ["Import.Field.amount"] = "Montant", ["Import.Field.currency"] = "Devise",
        ["Import.Field.pipeline"] = "Pipeline", ["Import.Field.stage"] = "Étape", ["Import.Field.status"] = "Statut (open, won, lost)",
        ["Import.Field.expectedDecisionDate"] = "Date de décision prévue", ["Import.Field.createdAt"] = "Créée le", ["Import.Field.closedAt"] = "Conclue le",
        ["Import.Field.lostReason"] = "Raison de la perte", ["Import.Field.ownerEmail"] = "E-mail du responsable", ["Import.Field.source"] = "Source",
        ["Import.Field.segment"] = "Segment", ["Import.Field.history"] = "Historique (JSON de Pipeline.Cloud)",
        ["Import.Field.stageOutcome"] = "Étape ou issue", ["Import.ValuesOf"] = "Valeurs de {0}",
        ["Import.ValuesHelp"] = "Ce que chaque valeur du fichier signifie ici. Une valeur importée telle quelle doit être le nom d'une étape, ou open, won, lost ; sinon ses lignes sont listées comme non importées.",
        ["Import.AsInFile"] = "Telle quelle", ["Import.OpenIn"] = "Ouverte, en {0}",
        ["Import.TooManyValues"] = "{0} a plus de {1} valeurs différentes : elles sont importées telles quelles.",
    };
}
