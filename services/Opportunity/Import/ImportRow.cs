using Pipeline.Messaging.Organizations;
using System.Globalization;
using Pipeline.Opportunity.Apis;
using Pipeline.Opportunity.Domain;

namespace Pipeline.Opportunity.Import;

/// <summary>
/// A row that passed every check: all that is needed to write the deal, its journey and its outcome. <see cref="Input"/>
/// and <see cref="Stage"/> are what it was created with; <see cref="History"/> leads it to the row's stage and decision date.
/// </summary>
public sealed record ImportedDeal(
    OpportunityWriter.NewOpportunity Input, SalesPipeline Pipeline, Stage Stage, string OwnerId, Guid? TeamId,
    DateTimeOffset CreatedAt, OpportunityStatus Status, DateTimeOffset? ClosedAt, string? LostReason, IReadOnlyList<HistoryStep> History);

/// <summary>
/// Turns one record into a deal, or into the list of what is wrong with it: every check happens here, before
/// anything is written, so a malformed row is reported and never half-imported.
/// </summary>
public static class ImportRow
{
    /// <summary>The reason a lost deal gets when the file has none: reports then show where the reason is unknown.</summary>
    public const string UnknownLostReason = "Imported";

    /// <summary>The column sizes of the opportunity table, as the API enforces them.</summary>
    private static readonly (CsvField Field, int Max)[] TextLimits =
    [
        (CsvField.Title, OpportunitiesApi.TitleMaxLength), (CsvField.AccountName, 200), (CsvField.ContactName, 200),
        (CsvField.Source, 100), (CsvField.Segment, 100), (CsvField.LostReason, 500),
    ];

    private static readonly string[] IsoMoments =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd",
    ];

    public static ImportedDeal? Read(ImportRecord record, ImportMapping mapping, ImportReferences references, string? dateFormat, List<string> errors)
    {
        if (record.Fields.Length != mapping.ColumnCount)
        {
            errors.Add($"The line has {record.Fields.Length} field(s), the header {mapping.ColumnCount}.");
            return null;
        }

        string Value(CsvField field) => mapping.Value(field, record.Fields);
        void Fail(CsvField field, string message) => errors.Add($"{OpportunityCsv.NameOf(field)}: {message}.");

        var title = Value(CsvField.Title);
        if (title.Length == 0)
        {
            Fail(CsvField.Title, "required");
        }

        foreach (var (field, max) in TextLimits)
        {
            if (Value(field).Length > max)
            {
                Fail(field, $"at most {max} characters");
            }
        }

        var contactEmail = Value(CsvField.ContactEmail);
        var contactErrors = new Dictionary<string, string[]>();
        OpportunitiesApi.ValidateContact(contactEmail, contactErrors);
        if (contactErrors.Count > 0)
        {
            Fail(CsvField.ContactEmail, $"'{contactEmail}' is not a valid e-mail address");
        }

        var amount = Amount(Value(CsvField.Amount), message => Fail(CsvField.Amount, message));

        var currency = Value(CsvField.Currency).ToUpperInvariant();
        if (currency.Length == 0)
        {
            currency = references.OrganizationCurrency;
        }
        else if (!Currencies.IsKnown(currency))
        {
            Fail(CsvField.Currency, $"'{currency}' is not an ISO 4217 currency code");
        }

        var statusText = Value(CsvField.Status);
        var status = OpportunityStatus.Open;
        if (statusText.Length > 0 && !OpportunityStatus.TryParse(statusText, out status))
        {
            Fail(CsvField.Status, $"'{statusText.ToLowerInvariant()}' is not open, won or lost");
        }

        var (pipeline, pipelineError) = references.Pipeline(Value(CsvField.Pipeline));
        if (pipelineError is not null)
        {
            Fail(CsvField.Pipeline, pipelineError);
        }

        Stage? stage = null;
        var stageName = Value(CsvField.Stage);
        if (pipeline is not null)
        {
            // Without a stage an open deal starts at the beginning; a closed one was decided at the end.
            stage = stageName.Length > 0 ? references.Stage(pipeline, stageName)
                : status.IsClosed ? pipeline.OrderedStages.Last() : pipeline.OrderedStages.First();
            if (stage is null)
            {
                Fail(CsvField.Stage, $"no stage named '{stageName}' in the pipeline '{pipeline.Name}'");
            }
        }

        var createdAt = Moment(CsvField.CreatedAt) ?? references.Now;
        var closedAt = Moment(CsvField.ClosedAt);
        var decision = Date(CsvField.ExpectedDecisionDate);
        if (createdAt > references.Now)
        {
            Fail(CsvField.CreatedAt, "in the future");
        }

        if (decision is { } decisionDate && decisionDate < DateOnly.FromDateTime(createdAt.UtcDateTime))
        {
            Fail(CsvField.ExpectedDecisionDate, "before the deal was created (createdAt)");
        }

        if (closedAt is { } closed)
        {
            if (status == OpportunityStatus.Open)
            {
                Fail(CsvField.ClosedAt, "an open deal has no close date (is its status won or lost?)");
            }
            else if (closed < createdAt)
            {
                Fail(CsvField.ClosedAt, "before the deal was created (createdAt)");
            }
            else if (closed > references.Now)
            {
                Fail(CsvField.ClosedAt, "in the future");
            }
        }
        else if (status.IsClosed && Value(CsvField.ClosedAt).Length == 0)
        {
            // A guessed date would put the deal in the wrong period of every report.
            Fail(CsvField.ClosedAt, $"required for a {status} deal (the date it was decided)");
        }

        var (ownerId, teamId) = (references.ImporterId, references.ImporterTeam);
        var ownerEmail = Value(CsvField.OwnerEmail);
        if (ownerEmail.Length > 0)
        {
            var owner = references.User(ownerEmail);
            if (owner is not { Active: true })
            {
                Fail(CsvField.OwnerEmail, owner is null ? $"no user '{ownerEmail}' in this organisation" : $"'{ownerEmail}' is no longer active");
            }
            else
            {
                (ownerId, teamId) = (owner.UserId, owner.TeamId);
            }
        }

        IReadOnlyList<HistoryStep> history = [];
        if (errors.Count == 0)
        {
            history = ImportHistory.Read(Value(CsvField.History), pipeline!, stage!, decision, currency, createdAt, closedAt ?? references.Now,
                message => Fail(CsvField.History, message));
        }

        if (errors.Count > 0)
        {
            return null;
        }

        var lostReason = status == OpportunityStatus.Lost ? OpportunitiesApi.Trim(Value(CsvField.LostReason)) ?? UnknownLostReason : null;
        return new ImportedDeal(
            new OpportunityWriter.NewOpportunity(title, OpportunitiesApi.Trim(Value(CsvField.AccountName)), OpportunitiesApi.Trim(Value(CsvField.ContactName)),
                OpportunitiesApi.Trim(contactEmail), amount, currency, ImportHistory.CreatedWithDecision(history, createdAt, decision),
                OpportunitiesApi.Trim(Value(CsvField.Source)), OpportunitiesApi.Trim(Value(CsvField.Segment)), Probability: null),
            pipeline!, ImportHistory.CreatedIn(history, pipeline!, createdAt, stage!), ownerId, teamId, createdAt, status, closedAt, lostReason, history);

        DateTimeOffset? Moment(CsvField field)
        {
            var text = Value(field);
            if (text.Length == 0)
            {
                return null;
            }

            if (TryParseMoment(text, dateFormat, out var moment))
            {
                return moment;
            }

            Fail(field, $"'{text}' is not a date ({(dateFormat is null ? "" : dateFormat + " or ")}ISO 8601, e.g. 2017-03-01 or 2017-03-01T14:30:00Z)");
            return null;
        }

        DateOnly? Date(CsvField field) => Moment(field) is { } moment ? DateOnly.FromDateTime(moment.UtcDateTime) : null;
    }

    /// <summary>A date in the file's format, else ISO 8601; without a time zone, UTC.</summary>
    public static bool TryParseMoment(string text, string? format, out DateTimeOffset moment)
    {
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (format is not null && DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, styles, out var local))
        {
            moment = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Utc));
            return true;
        }

        return DateTimeOffset.TryParseExact(text, IsoMoments, CultureInfo.InvariantCulture, styles, out moment);
    }

    private static decimal Amount(string text, Action<string> fail)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var amount))
        {
            fail($"'{text}' is not an amount (digits with a decimal point, e.g. 1250.50)");
            return 0;
        }

        var errors = new Dictionary<string, string[]>();
        OpportunitiesApi.ValidateMoney(amount, "EUR", errors, required: true);
        if (errors.TryGetValue("amount", out var messages))
        {
            fail(messages[0].TrimEnd('.').Replace("The amount", "the amount", StringComparison.Ordinal));
        }

        return amount;
    }
}
