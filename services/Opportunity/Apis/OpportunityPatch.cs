using Pipeline.Messaging.Organizations;
using System.Globalization;
using System.Text.Json;
using Pipeline.Opportunity.Domain;

namespace Pipeline.Opportunity.Apis;

// The sales domain's Opportunity: from inside namespace Pipeline.Opportunity, C# would find the namespace first.
using Opportunity = Pipeline.Opportunity.Domain.Opportunity;

/// <summary>
/// A PATCH body: only the fields present change; <c>null</c> clears an optional field (and gives the probability
/// back to the stage). Each bad field is named in <see cref="Errors"/>.
/// </summary>
internal sealed class OpportunityPatch
{
    private readonly Dictionary<string, JsonElement> _fields;

    private OpportunityPatch(Dictionary<string, JsonElement> fields) => _fields = fields;

    public Dictionary<string, string[]> Errors { get; } = [];

    public string? OwnerId { get; set; }

    public Guid? TeamId { get; set; }

    /// <summary>The probability of the deal's stage, which a <c>"probability": null</c> gives back.</summary>
    public int StageProbability { get; set; }

    private string? Title { get; set; }

    private decimal? Amount { get; set; }

    private string? Currency { get; set; }

    private int? Probability { get; set; }

    private DateOnly? DecisionDate { get; set; }

    private static readonly string[] Known =
        ["title", "accountName", "contactName", "contactEmail", "amount", "currency", "probability", "expectedDecisionDate", "source", "segment", "ownerId"];

    /// <param name="calendar">The organisation's: the deal's creation day is its day there.</param>
    public static OpportunityPatch Read(JsonElement body, Opportunity current, OrganizationCalendar calendar)
    {
        var fields = body.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase);
        var patch = new OpportunityPatch(fields);
        foreach (var unknown in fields.Keys.Where(name => !Known.Contains(name, StringComparer.OrdinalIgnoreCase)))
        {
            // Status, stage, id, organisation and version have routes of their own, or are not the caller's to set.
            patch.Errors[unknown] = ["This field cannot be changed with PATCH."];
        }

        if (fields.TryGetValue("title", out var title))
        {
            patch.Title = title.ValueKind == JsonValueKind.String ? title.GetString() : null;
            OpportunitiesApi.ValidateTitle(patch.Title, patch.Errors);
        }

        if (fields.TryGetValue("amount", out var amount))
        {
            if (amount.ValueKind == JsonValueKind.Number && amount.TryGetDecimal(out var value))
            {
                patch.Amount = value;
            }
            else
            {
                patch.Errors["amount"] = ["The amount is a number."];
            }
        }

        if (fields.TryGetValue("currency", out var currency))
        {
            patch.Currency = currency.ValueKind == JsonValueKind.String ? currency.GetString() : "";
        }

        if (patch.Amount is not null || patch.Currency is not null)
        {
            OpportunitiesApi.ValidateMoney(patch.Amount ?? current.Amount, patch.Currency ?? current.Currency.Trim(), patch.Errors, required: true);
        }

        if (fields.TryGetValue("probability", out var probability) && probability.ValueKind != JsonValueKind.Null)
        {
            if (probability.ValueKind == JsonValueKind.Number && probability.TryGetInt32(out var p) && p is >= 0 and <= 100)
            {
                patch.Probability = p;
            }
            else
            {
                patch.Errors["probability"] = ["The probability is a whole number from 0 to 100, or null for the stage's."];
            }
        }

        if (fields.TryGetValue("expectedDecisionDate", out var date) && date.ValueKind != JsonValueKind.Null)
        {
            if (date.ValueKind == JsonValueKind.String && DateOnly.TryParseExact(date.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                patch.DecisionDate = d;
                if (d < calendar.DayOf(current.CreatedAt))
                {
                    patch.Errors["expectedDecisionDate"] = ["The expected decision date cannot be before the opportunity's creation."];
                }
            }
            else
            {
                patch.Errors["expectedDecisionDate"] = ["The date is written yyyy-MM-dd."];
            }
        }

        if (fields.TryGetValue("contactEmail", out var email))
        {
            OpportunitiesApi.ValidateContact(Text(email), patch.Errors);
        }

        OpportunitiesApi.ValidateTexts(patch.Errors,
            ("accountName", Text(fields.GetValueOrDefault("accountName")), 200), ("contactName", Text(fields.GetValueOrDefault("contactName")), 200),
            ("source", Text(fields.GetValueOrDefault("source")), 100), ("segment", Text(fields.GetValueOrDefault("segment")), 100));

        if (fields.TryGetValue("ownerId", out var owner))
        {
            if (owner.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(owner.GetString()))
            {
                patch.OwnerId = owner.GetString();
            }
            else
            {
                patch.Errors["ownerId"] = ["An opportunity always has an owner."];
            }
        }

        return patch;
    }

    /// <summary>Whether the patch touches what a closed deal's figures are made of (amount, currency, probability, owner).</summary>
    public bool ChangesPipelineFigures(Opportunity current) =>
        (Amount is { } amount && amount != current.Amount) || (Currency is { } currency && currency != current.Currency.Trim())
        || _fields.ContainsKey("probability") || (OwnerId is { } owner && owner != current.OwnerId);

    public void ApplyTo(Opportunity opportunity)
    {
        if (Title is not null)
        {
            opportunity.Title = Title.Trim();
        }

        if (Amount is { } amount)
        {
            opportunity.Amount = amount;
        }

        if (Currency is not null)
        {
            opportunity.Currency = Currency;
        }

        if (_fields.TryGetValue("probability", out var probability))
        {
            opportunity.ProbabilityOverridden = probability.ValueKind != JsonValueKind.Null;
            opportunity.Probability = Probability ?? StageProbability;
        }

        if (_fields.ContainsKey("expectedDecisionDate"))
        {
            opportunity.ExpectedDecisionDate = DecisionDate;
        }

        if (_fields.TryGetValue("accountName", out var account))
        {
            opportunity.AccountName = OpportunitiesApi.Trim(Text(account));
        }

        if (_fields.TryGetValue("contactName", out var contact))
        {
            opportunity.ContactName = OpportunitiesApi.Trim(Text(contact));
        }

        if (_fields.TryGetValue("contactEmail", out var email))
        {
            opportunity.ContactEmail = OpportunitiesApi.Trim(Text(email));
        }

        if (_fields.TryGetValue("source", out var source))
        {
            opportunity.Source = OpportunitiesApi.Trim(Text(source));
        }

        if (_fields.TryGetValue("segment", out var segment))
        {
            opportunity.Segment = OpportunitiesApi.Trim(Text(segment));
        }

        if (OwnerId is not null)
        {
            opportunity.OwnerId = OwnerId;
            opportunity.TeamId = TeamId;
        }
    }

    private static string? Text(JsonElement element) => element.ValueKind == JsonValueKind.String ? element.GetString() : null;
}
