using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Contracts;
using Pipeline.Reporting.Infrastructure;
using Pipeline.Testing;

namespace Pipeline.Reporting.Tests;

/// <summary>An organisation's settings as identity's <c>/api/organization</c> has them.</summary>
public sealed record OrganizationSettings(Guid Id, string Name, string Currency, string TimeZone, int FiscalYearStartMonth, long Version);

[CollectionDefinition(Name)]
public sealed class ReportingCollection : ICollectionFixture<ReportingServiceFixture>
{
    public const string Name = "reporting service";
}

/// <summary>
/// The reporting service in-process on a fresh database and virtual host, the real identity issuer and the real
/// opportunity service beside it (a rebuild reads its history), and a bus to publish events as the opportunity
/// service would, with dates the tests choose.
/// </summary>
public sealed class ReportingServiceFixture : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _resources = [];
    private WebApplicationFactory<Program> _reporting = null!;
    private ServiceProcess.Running _opportunity = null!;
    private IHost _publisher = null!;

    public IssuerProcess Issuer { get; private set; } = null!;

    /// <summary>The virtual host the services and the tests' publisher share.</summary>
    public Uri Broker { get; private set; } = null!;

    /// <summary>The opportunity service, called directly with a user's token.</summary>
    public Uri OpportunityAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var broker = await TestVirtualHost.CreateAsync();
        _resources.Add(broker);
        Broker = broker.Uri;
        var reportingDb = await TestDatabase.CreateAsync("reporting");
        _resources.Add(reportingDb);
        var opportunityDb = await TestDatabase.CreateAsync("opportunity");
        _resources.Add(opportunityDb);

        await new ServiceProcess("Pipeline.Reporting", new Dictionary<string, string>
        {
            ["ConnectionStrings__reportingdb"] = reportingDb.ConnectionString,
            ["ConnectionStrings__messaging"] = broker.Uri.ToString(),
        }).RunToCompletionAsync("migrate");
        var opportunity = new ServiceProcess("Pipeline.Opportunity", new Dictionary<string, string>
        {
            ["ConnectionStrings__opportunitydb"] = opportunityDb.ConnectionString,
            ["ConnectionStrings__messaging"] = broker.Uri.ToString(),
        });
        await opportunity.RunToCompletionAsync("migrate");

        Issuer = await IssuerProcess.StartAsync(broker.Uri);
        _resources.Add(Issuer);
        OpportunityAddress = new Uri($"http://127.0.0.1:{PrivateRabbitMqNode.FreePort()}/");
        _opportunity = new ServiceProcess("Pipeline.Opportunity", new Dictionary<string, string>
        {
            ["ConnectionStrings__opportunitydb"] = opportunityDb.ConnectionString,
            ["ConnectionStrings__messaging"] = broker.Uri.ToString(),
            ["Authentication__Authority"] = Issuer.Address.ToString(),
        }).Start($"--urls={OpportunityAddress}");

        _reporting = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host
            .UseEnvironment("Testing")
            .UseSetting("ConnectionStrings:reportingdb", reportingDb.ConnectionString)
            .UseSetting("ConnectionStrings:messaging", broker.Uri.ToString())
            .UseSetting("Authentication:Authority", Issuer.Address.ToString())
            .UseSetting("services:opportunity:http:0", OpportunityAddress.ToString())
            .UseSetting("Logging:LogLevel:Default", "Warning"));
        _ = _reporting.Server;

        _publisher = await TestPublisher.StartAsync(broker.Uri);

        await Readiness.WaitAsync(OpportunityAddress, "opportunity", TimeSpan.FromSeconds(60));

        // Identity publishes the demo organisations' settings at its release: days are cut in their time zones
        // (Acme: Europe/Paris, Globex: America/New_York) from the first deal on.
        await WaitForOrganizationAsync(DemoUsers.Acme, version: 1);
        await WaitForOrganizationAsync(DemoUsers.Globex, version: 1);
    }

    /// <summary>
    /// Changes an organisation's settings as its admin would (identity's <c>PUT /api/organization</c>, which publishes
    /// <c>OrganizationChanged</c>), and waits until the reporting service follows them, its days re-cut if the time
    /// zone changed. Returns the settings before, to put them back.
    /// </summary>
    public async Task<OrganizationSettings> ChangeOrganizationAsync(string admin, Func<OrganizationSettings, OrganizationSettings> change)
    {
        using var identity = await Issuer.ClientAsync(admin);
        var response = await identity.GetAsync("/api/organization");
        var before = (await response.Content.ReadFromJsonAsync<OrganizationSettings>())!;
        var request = new HttpRequestMessage(HttpMethod.Put, "/api/organization") { Content = JsonContent.Create(change(before)) };
        request.Headers.IfMatch.Add(response.Headers.ETag!);
        var changed = (await (await identity.SendAsync(request)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<OrganizationSettings>())!;
        await WaitForOrganizationAsync(changed.Id, changed.Version);
        return before;
    }

    /// <summary>
    /// Until the reporting service holds the organisation's settings at <paramref name="version"/> or later, and no
    /// rebuild of its read models is queued or running (a change of time zone re-cuts its days).
    /// </summary>
    public Task WaitForOrganizationAsync(Guid organization, long version) => Eventually.Until(async () =>
    {
        await using var scope = _reporting.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReportingDbContext>();
        var known = await db.OrganizationProfiles.IgnoreQueryFilters().AnyAsync(p => p.OrganizationId == organization && p.Version >= version);
        var rebuilding = await db.RebuildJobs.IgnoreQueryFilters().AnyAsync(j => j.OrganizationId == organization && (j.Status == "queued" || j.Status == "running"));
        return known && !rebuilding;
    }, TimeSpan.FromMinutes(2), $"the reporting service follows the settings of {organization}, version {version}");

    /// <summary>Publishes events as the opportunity service would (through the broker, to the reporting service's queues).</summary>
    public async Task PublishAsync(IEnumerable<IntegrationMessage> events)
    {
        var bus = _publisher.Services.GetRequiredService<IBus>();
        foreach (var @event in events)
        {
            await bus.Publish(@event, @event.GetType());
        }
    }

    /// <summary>
    /// Waits until the reporting service has applied every one of these deal events: an event is in its log only
    /// once the transaction that applied it has committed.
    /// </summary>
    public Task WaitUntilAppliedAsync(IEnumerable<IntegrationMessage> events)
    {
        var ids = events.Select(e => e.EventId).Distinct().ToList();
        return Eventually.Until(async () =>
        {
            await using var scope = _reporting.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ReportingDbContext>();
            return await db.DealEvents.IgnoreQueryFilters().CountAsync(e => ids.Contains(e.EventId));
        }, applied => applied == ids.Count, TimeSpan.FromSeconds(60), $"the reporting service applied all {ids.Count} events");
    }

    /// <summary>Until the service's folder has moved every rollup delta into the rollups.</summary>
    public Task WaitUntilRollupsFoldedAsync() => Eventually.Until(async () =>
    {
        await using var scope = _reporting.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReportingDbContext>();
        return await db.Database.SqlQueryRaw<long>("SELECT (SELECT count(*) FROM deal_rollup_deltas) + (SELECT count(*) FROM stage_rollup_deltas) AS \"Value\"").SingleAsync();
    }, left => left == 0, TimeSpan.FromSeconds(60), "the rollup deltas folded");

    public async Task<HttpClient> ReportingClientAsync(string user) => await Issuer.AuthorizeAsync(_reporting.CreateClient(), user);

    public async Task<HttpClient> OpportunityClientAsync(string user) => await Issuer.AuthorizeAsync(new HttpClient { BaseAddress = OpportunityAddress }, user);

    /// <summary>Polls a report until it satisfies <paramref name="ready"/> (the projection is asynchronous).</summary>
    public async Task<JsonElement> ReportAsync(string user, string url, Func<JsonElement, bool> ready, TimeSpan? timeout = null)
    {
        using var client = await ReportingClientAsync(user);
        return await Eventually.Until(async () =>
        {
            var response = await client.GetAsync(url);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
        }, report => report.ValueKind == JsonValueKind.Object && ready(report), timeout ?? TimeSpan.FromSeconds(60), $"{url} is ready");
    }

    public async Task DisposeAsync()
    {
        await _publisher.StopAsync();
        _publisher.Dispose();
        await _reporting.DisposeAsync();
        _opportunity.Dispose();
        foreach (var resource in Enumerable.Reverse(_resources))
        {
            await resource.DisposeAsync();
        }
    }
}
