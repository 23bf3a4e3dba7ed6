using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Automation.Domain;
using Pipeline.Automation.Infrastructure;
using Pipeline.Contracts;
using Pipeline.Messaging;
using Pipeline.Messaging.Tenancy;
using Pipeline.Testing;

namespace Pipeline.Automation.Tests;

/// <summary>
/// The durable scheduler with real service processes sharing one database and broker: two replicas fire each due
/// action once; a replica killed mid-batch loses none; actions pending across a restart fire after it.
/// </summary>
public sealed class SchedulerTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _resources = [];
    private readonly List<ServiceProcess.Running> _processes = [];
    private TestDatabase _database = null!;
    private TestVirtualHost _broker = null!;
    private EventRecorder _events = null!;
    private IHost _publisher = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestVirtualHost.CreateAsync();
        _resources.Add(_broker);
        _database = await TestDatabase.CreateAsync("automation");
        _resources.Add(_database);
        _events = await EventRecorder.StartAsync(_broker.Uri, [nameof(CreateFollowUpActivity), nameof(SendNotification)]);
        _resources.Add(_events);
        await Replica().RunToCompletionAsync("migrate");

        _publisher = await TestPublisher.StartAsync(_broker.Uri);
    }

    [Fact]
    public async Task A_thousand_due_actions_with_two_replicas_one_killed_mid_batch_all_fire_once()
    {
        var rule = await AddRuleAsync(TimeSpan.FromSeconds(20));
        var first = Start(batchSize: 25);
        Start(batchSize: 25);
        await PublishDealsAsync(1000);
        await WaitForAsync(null, 1000, TimeSpan.FromSeconds(60));

        // Kill the first replica as soon as the runs start firing: it is then in the middle of a batch.
        await Eventually.Until(() => CountAsync(RunStatus.Fired), fired => fired > 0, TimeSpan.FromSeconds(60), "the runs start firing");
        first.Kill();
        await WaitForAsync(RunStatus.Fired, 1000, TimeSpan.FromSeconds(120));

        // Each run fired once: one follow-up and one notification per run, each written once (the broker may
        // carry a copy again if the killed replica had published it before deleting it: the same message id).
        var runs = await RunIdsAsync(rule);
        Assert.Equal(1000, runs.Count);
        foreach (var (type, index) in new[] { (nameof(CreateFollowUpActivity), 0), (nameof(SendNotification), 1) })
        {
            var sent = await _events.WaitForAsync(type, count: 1000, timeout: TimeSpan.FromSeconds(60));
            var expected = runs.Select(r => ActionPlan.CorrelationId(r, index)).ToHashSet();
            await Eventually.Until(() => Task.FromResult(_events.Of(type).Select(e => e.Guid("correlationId")).ToHashSet()),
                seen => seen.SetEquals(expected), TimeSpan.FromSeconds(30), $"a {type} for every run");
            var messages = _events.Of(type);
            Assert.Equal(messages.Select(e => e.Guid("eventId")).Distinct().Count(), messages.Select(e => e.Guid("correlationId")).Distinct().Count());
            Assert.Equal(1000, messages.Select(e => e.Guid("eventId")).Distinct().Count());
        }
    }

    [Fact]
    public async Task Delayed_actions_pending_across_a_restart_of_the_service_fire_after_it()
    {
        await AddRuleAsync(TimeSpan.FromSeconds(40));
        var replica = Start(batchSize: 500);
        await PublishDealsAsync(100);
        await WaitForAsync(null, 100, TimeSpan.FromSeconds(30));

        replica.Kill();
        Assert.Equal(100, await CountAsync(RunStatus.Scheduled));

        Start(batchSize: 500);
        await WaitForAsync(RunStatus.Fired, 100, TimeSpan.FromSeconds(90));
        await _events.WaitForAsync(nameof(CreateFollowUpActivity), count: 100, timeout: TimeSpan.FromSeconds(60));
    }

    private ServiceProcess Replica(int batchSize = 500) => new("Pipeline.Automation", new Dictionary<string, string>
    {
        ["ConnectionStrings__automationdb"] = _database.ConnectionString,
        ["ConnectionStrings__messaging"] = _broker.Uri.ToString(),
        ["Authentication__Authority"] = "http://127.0.0.1:9/",
        ["Automation__SchedulerBatchSize"] = batchSize.ToString(),
        ["Automation__TimeTriggersEnabled"] = "false",
    });

    private ServiceProcess.Running Start(int batchSize)
    {
        var running = Replica(batchSize).Start();
        _processes.Add(running);
        return running;
    }

    /// <summary>A rule on new deals, its actions delayed: a follow-up task and a notification for the owner.</summary>
    private async Task<Guid> AddRuleAsync(TimeSpan delay)
    {
        await using var db = Context();
        var now = DateTimeOffset.UtcNow.AddSeconds(-5);
        var rule = new AutomationRule
        {
            Id = Guid.NewGuid(), OrganizationId = DemoUsers.Acme, Name = "Welcome every deal", Enabled = true, TriggerType = TriggerTypes.OpportunityCreated,
            Definition = new RuleDefinition(new RuleTrigger(TriggerTypes.OpportunityCreated), [], delay,
            [
                new RuleAction(ActionTypes.CreateActivity, ActivityType: "call", Subject: "Welcome call for {title}"),
                new RuleAction(ActionTypes.Notify, Recipients: [Recipients.Owner]),
            ]),
            Revision = await db.NextRevisionAsync(CancellationToken.None), CreatedAt = now, UpdatedAt = now,
        };
        db.Rules.Add(rule);
        await db.SaveChangesAsync();
        return rule.Id;
    }

    private async Task PublishDealsAsync(int count)
    {
        var bus = _publisher.Services.GetRequiredService<IBus>();
        var at = DateTimeOffset.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => bus.Publish(new OpportunityCreated
        {
            OrganizationId = DemoUsers.Acme, OpportunityId = Guid.NewGuid(), Version = 1, OccurredAt = at, CreatedAt = at, PipelineId = Guid.NewGuid(),
            StageId = Guid.NewGuid(), StageName = "Qualification", Title = $"Deal {i}", OwnerId = DemoUsers.AliceId, TeamId = DemoUsers.East,
            Amount = 1000, Currency = "EUR", Probability = 10,
        })));
    }

    /// <summary>Until <paramref name="count"/> runs have the status (any status when null).</summary>
    private async Task WaitForAsync(string? status, int count, TimeSpan timeout) =>
        await Eventually.Until(() => CountAsync(status), n => n >= count, timeout, $"{count} runs {status ?? "recorded"}");

    private async Task<int> CountAsync(string? status)
    {
        await using var db = Context();
        return await db.Runs.CountAsync(r => status == null || r.Status == status);
    }

    private async Task<List<Guid>> RunIdsAsync(Guid rule)
    {
        await using var db = Context();
        return await db.Runs.Where(r => r.RuleId == rule && r.Status == RunStatus.Fired).Select(r => r.Id).ToListAsync();
    }

    private AutomationDbContext Context()
    {
        var tenant = new TenantScope();
        tenant.Use(DemoUsers.Acme);
        return new AutomationDbContext(new DbContextOptionsBuilder<AutomationDbContext>()
            .UseNpgsql(_database.ConnectionString).UseSnakeCaseNamingConvention().Options, tenant);
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        await _publisher.StopAsync();
        _publisher.Dispose();
        foreach (var resource in Enumerable.Reverse(_resources))
        {
            await resource.DisposeAsync();
        }
    }
}
