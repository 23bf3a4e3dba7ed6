using System.Globalization;
using Pipeline.Messaging.Organizations;

namespace Pipeline.Automation.Domain;

/// <summary>
/// What a rule is evaluated against besides the deal: the organisation's currency, time zone and rates, its
/// stages and its people. The live path loads it from the service's tables; a simulation builds it from the
/// recorded events. Either way the evaluation code is the same.
/// </summary>
public sealed class OrganizationView(
    OrganizationProfile profile, DatedExchangeRates rates, IReadOnlyDictionary<Guid, PipelineStage> stages, IReadOnlyDictionary<string, SalesUser> users)
{
    public OrganizationProfile Profile { get; } = profile;

    public string Currency => Profile.Currency;

    public OrganizationCalendar Calendar => Profile.Calendar;

    public DatedExchangeRates Rates { get; } = rates;

    public IReadOnlyDictionary<Guid, PipelineStage> Stages { get; } = stages;

    public IReadOnlyDictionary<string, SalesUser> Users { get; } = users;

    public decimal? ToOrganizationCurrency(decimal amount, string currency, DateTimeOffset at) =>
        Rates.Convert(amount, currency, Currency, Calendar.DayOf(at));

    public string StageName(Guid stageId) => Stages.TryGetValue(stageId, out var stage) ? stage.Name : stageId.ToString();

    public string UserName(string? userId) => userId is not null && Users.TryGetValue(userId, out var user) ? user.Name : userId ?? "nobody";

    public string TeamName(Guid? teamId) =>
        teamId is null ? "no team" : Users.Values.FirstOrDefault(u => u.TeamId == teamId && u.TeamName is not null)?.TeamName ?? teamId.Value.ToString();

    public IEnumerable<SalesUser> ActiveMembers(Guid teamId, string? role = null) =>
        Users.Values.Where(u => u.Active && u.TeamId == teamId && (role is null || u.Role == role));

    /// <summary>An amount as people read it: 1,200 EUR, 4,000.50 USD.</summary>
    public static string Money(decimal amount, string? currency) =>
        $"{amount.ToString("#,0.##", CultureInfo.InvariantCulture)} {currency}".TrimEnd();
}
