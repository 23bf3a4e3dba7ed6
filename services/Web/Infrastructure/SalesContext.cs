using Pipeline.Web.ApiClients.Identity;
using Pipeline.Web.ApiClients.Opportunity;

namespace Pipeline.Web.Infrastructure;

/// <summary>
/// What every view needs and rarely changes, read once per circuit: the organisation (its currency), the pipelines and
/// their stages, the users and teams (to show names for ids), the exchange rates (to adjust totals while a move is on
/// its way).
/// </summary>
public sealed class SalesContext(PipelineApi api)
{
    private Task? _loading;

    public OrganizationResponse Organization { get; private set; } = null!;

    public UserResponse Me { get; private set; } = null!;

    public List<PipelineResponse> Pipelines { get; private set; } = [];

    public List<UserResponse> Users { get; private set; } = [];

    public List<TeamResponse> Teams { get; private set; } = [];

    public ExchangeRatesResponse Rates { get; private set; } = null!;

    public Task LoadAsync() => _loading ??= LoadOnceAsync();

    private async Task LoadOnceAsync()
    {
        var identity = await api.IdentityAsync();
        var opportunity = await api.OpportunityAsync();
        var organization = identity.GetOrganizationAsync();
        var me = identity.GetMeAsync();
        var users = identity.ListUsersAsync();
        var teams = identity.ListTeamsAsync();
        var pipelines = opportunity.ListPipelinesAsync();
        var rates = opportunity.GetExchangeRatesAsync();
        await Task.WhenAll(organization, me, users, teams, pipelines, rates);
        (Organization, Me, Users, Teams, Pipelines, Rates) =
            (organization.Result, me.Result, users.Result.ToList(), teams.Result.ToList(), pipelines.Result.ToList(), rates.Result);
    }

    public PipelineResponse PipelineOrDefault(Guid? id) =>
        Pipelines.FirstOrDefault(p => p.Id == id) ?? Pipelines.FirstOrDefault(p => p.IsDefault) ?? Pipelines[0];

    public string UserName(string? id) => Users.FirstOrDefault(u => u.Id.ToString() == id)?.Name ?? id ?? "—";

    public string TeamName(Guid? id) => Teams.FirstOrDefault(t => t.Id == id)?.Name ?? "—";

    /// <summary>An amount in the organisation's currency at today's rate, or null without a rate (then totals leave it out).</summary>
    public decimal? Convert(decimal amount, string currency, DateOnly today)
    {
        if (currency == Organization.Currency)
        {
            return amount;
        }

        var rate = Rates.Rates.Where(r => r.Currency == currency && (r.EffectiveFrom ?? DateOnly.MinValue) <= today)
            .OrderByDescending(r => r.EffectiveFrom).FirstOrDefault()?.Rate;
        return Rates.QuotedIn == Organization.Currency && rate is { } r1 ? amount * r1 : null;
    }
}
