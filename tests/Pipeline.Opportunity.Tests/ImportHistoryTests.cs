using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Messaging.Tenancy;
using Pipeline.Opportunity.DemoData;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.Testing;
using static Pipeline.Opportunity.Tests.CsvImports;

namespace Pipeline.Opportunity.Tests;

/// <summary>
/// A migrating customer brings each deal's journey in the <c>history</c> column: the deal is replayed through its
/// stages, decision dates, quotes and activities at the times they happened, with the same history and events as
/// live changes.
/// </summary>
[Collection(OpportunityCollection.Name)]
public sealed class ImportHistoryTests(OpportunityServiceFixture service)
{
    private const string Header = NativeHeader + ",history";

    [Fact]
    public async Task A_deal_imported_with_its_history_has_lived_through_its_stages_dates_quotes_and_activities()
    {
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        var title = $"Journey {Guid.NewGuid():N}";
        var history = JsonSerializer.Serialize(new object[]
        {
            new { at = "2026-01-05T09:00:00Z", decisionDate = "2026-03-31" },
            new { at = "2026-01-12T10:00:00Z", stage = "Discovery meeting" },
            new { at = "2026-01-13T10:00:00Z", activity = new { type = "meeting", subject = "Discovery", dueAt = "2026-01-15T14:00:00Z", doneAt = "2026-01-15T15:00:00Z" } },
            new { at = "2026-02-02T10:00:00Z", stage = "Negotiation & follow-up" },
            new { at = "2026-02-03T11:00:00Z", quote = new { amount = 4200, validUntil = "2026-03-05", answer = "declined", answeredAt = "2026-02-10T16:00:00Z", reason = "Too high" } },
            new { at = "2026-02-09T10:00:00Z", stage = "Proposal" },
            new { at = "2026-02-20T10:00:00Z", decisionDate = "2026-04-30" },
            new { at = "2026-02-21T10:00:00Z", quote = new { amount = 3900, validUntil = "2026-03-31", answer = "accepted", answeredAt = "2026-03-02T09:30:00Z" } },
            new { at = "2026-03-03T08:00:00Z", stage = "Decision" },
        });
        var job = await admin.ImportAsync(Header + "\n" + Line(title, "Initech", "", "", "3900", "EUR", "", "Decision", "won", "2026-04-30",
            "2026-01-05T09:00:00Z", "2026-03-20T12:00:00Z", "", "alice@acme.test", "", "", history));
        Assert.Equal([], job.Errors());

        var deal = (await (await admin.GetAsync($"/api/opportunities?q={title}&status=won")).ReadAsync<JsonElement>()).Items().Single();
        var moves = (await (await admin.GetAsync($"/api/opportunities/{deal.Id()}/history?limit=200")).ReadAsync<JsonElement>()).Items()
            .Where(h => h.Str("kind") == "stage").Select(h => (h.Str("oldValue"), h.Str("newValue"), h.Str("occurredAt"))).ToList();
        Assert.Equal(
        [
            ("Qualification", "Discovery meeting", "2026-01-12T10:00:00+00:00"), ("Discovery meeting", "Negotiation & follow-up", "2026-02-02T10:00:00+00:00"),
            ("Negotiation & follow-up", "Proposal", "2026-02-09T10:00:00+00:00"), ("Proposal", "Decision", "2026-03-03T08:00:00+00:00"),
        ], moves);

        var quotes = (await (await admin.GetAsync($"/api/opportunities/{deal.Id()}/quotes")).ReadAsync<JsonElement[]>());
        Assert.Equal(["accepted", "declined"], quotes.Select(q => q.Str("status")).Order());
        var activities = (await (await admin.GetAsync($"/api/opportunities/{deal.Id()}/activities")).ReadAsync<JsonElement>()).Items();
        Assert.True(Assert.Single(activities).GetProperty("done").GetBoolean());

        // The events carry the times the steps happened, in version order: a push of the decision date among them.
        var events = await service.Events.WaitForAsync("StageChanged", e => e.Guid("opportunityId") == deal.Id(), count: 4);
        Assert.Equal(["2026-01-12", "2026-02-02", "2026-02-09", "2026-03-03"], events.OrderBy(e => e.Long("version")).Select(e => e.Text("occurredAt")![..10]));
        var push = Assert.Single(await service.Events.WaitForAsync("DecisionDateChanged", e => e.Guid("opportunityId") == deal.Id()));
        Assert.Equal(("2026-03-31", "2026-04-30"), (push.Text("previousDate"), push.Text("newDate")));
        await service.Events.WaitForAsync("QuoteDeclined", e => e.Guid("opportunityId") == deal.Id());
        await service.Events.WaitForAsync("ActivityCompleted", e => e.Guid("opportunityId") == deal.Id());
    }

    [Fact]
    public async Task A_history_that_does_not_fit_its_deal_is_refused_step_by_step_and_nothing_of_the_row_is_written()
    {
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        var title = $"Bad journey {Guid.NewGuid():N}";
        string Row(object[] steps, string stage = "Proposal") => Line(title, "", "", "", "10", "EUR", "", stage, "open", "",
            "2026-01-05T09:00:00Z", "", "", "", "", "", JsonSerializer.Serialize(steps));
        var job = await admin.ImportAsync(string.Join("\n",
            Header,
            Row([new { at = "2026-01-06T00:00:00Z", stage = "Nowhere" }]),
            Row([new { at = "2026-01-04T00:00:00Z", stage = "Proposal" }]),
            Row([new { at = "2026-01-06T00:00:00Z", stage = "Discovery meeting" }]),
            Row([new { at = "2026-01-06T00:00:00Z", stage = "Proposal", quote = new { amount = 1 } }]),
            Line(title, "", "", "", "10", "EUR", "", "", "open", "", "2026-01-05T09:00:00Z", "", "", "", "", "", "{not json")));

        Assert.Equal(0, job.Int("rowsDone"));
        var errors = job.Errors();
        Assert.Contains(errors, e => e.Line == 2 && e.Message.Contains("step 1: no stage named 'Nowhere'"));
        Assert.Contains(errors, e => e.Line == 3 && e.Message.Contains("step 1: before the deal was created"));
        Assert.Contains(errors, e => e.Line == 4 && e.Message.Contains("is not the row's stage ('Proposal')"));
        Assert.Contains(errors, e => e.Line == 5 && e.Message.Contains("step 1: exactly one of stage, decisionDate, quote or activity"));
        Assert.Contains(errors, e => e.Line == 6 && e.Message.Contains("history: not a JSON array"));
    }

    [Fact]
    public async Task The_demo_deals_import_with_every_journey_accounted_for()
    {
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        var path = Path.Combine(Path.GetTempPath(), $"demo-{Guid.NewGuid():N}.csv");
        try
        {
            DemoDeals.WriteNativeCsv(Path.Combine(AppContext.BaseDirectory, DemoDeals.Folder), DemoDeals.Globex, DateTimeOffset.UtcNow, path);
            var job = await eve.ImportAsync(await File.ReadAllTextAsync(path), timeout: TimeSpan.FromMinutes(2));
            Assert.Equal([], job.Errors());
            Assert.Equal(880, job.Int("rowsDone"));
        }
        finally
        {
            File.Delete(path);
        }

        await using var scope = service.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Use(DemoUsers.Globex);
        var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
        var now = DateTimeOffset.UtcNow;
        var open = await db.Opportunities.Where(o => o.Status == Pipeline.Opportunity.Domain.OpportunityStatus.Open)
            .Join(db.Stages, o => o.StageId, s => s.Id, (o, s) => new { o.LastActivityAt, s.RottingDays }).ToListAsync();
        // Deals went through earlier stages, some backward; decision dates were pushed; quotes were answered both ways.
        Assert.True(await db.History.CountAsync(h => h.Kind == "stage") > 1_000);
        Assert.True(await db.History.AnyAsync(h => h.Kind == "stage" && h.OldValue == "Proposal" && h.NewValue == "Discovery meeting"));
        Assert.True(await db.History.CountAsync(h => h.Field == "expectedDecisionDate") > 50);
        Assert.True(await db.Quotes.CountAsync(q => q.Status == "accepted") > 100);
        Assert.True(await db.Quotes.CountAsync(q => q.Status == "declined") > 50);
        // A quote left unanswered past its validity before the migration lapsed then; none is still waiting past it.
        // Globex's date (New York), which quote validity follows; UTC's is a day ahead in the evening there.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).DateTime);
        Assert.True(await db.Quotes.CountAsync(q => q.Status == "expired") > 20);
        Assert.False(await db.Quotes.AnyAsync(q => q.Status == "sent" && q.ValidUntil < today));
        // Some open deals are rotting (nothing for longer than their stage allows), most have what comes next.
        Assert.InRange(open.Count(o => now - o.LastActivityAt > TimeSpan.FromDays(o.RottingDays)), 10, open.Count / 3);
        Assert.True(await db.Activities.CountAsync(a => !a.Done && a.DueAt > now) > open.Count / 2);
        Assert.True(await db.Activities.CountAsync(a => a.Done) > 500);
    }
}
