using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.Testing;

namespace Pipeline.Opportunity.Tests;

/// <summary>Calls, e-mails, meetings and tasks on a deal; each user's agenda; follow-ups automation asks for.</summary>
[Collection(OpportunityCollection.Name)]
public sealed class ActivitiesTests(OpportunityServiceFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_activity_is_scheduled_for_the_caller_unless_told_otherwise_and_published()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await QuotesTests.NewDealAsync(alice, "Call the buyer");

        var response = await alice.PostAsJsonAsync($"/api/opportunities/{deal}/activities",
            new { type = "call", subject = "  Discuss the renewal  ", dueAt = "2031-01-10T10:00:00+02:00" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var activity = await response.ReadAsync<JsonElement>();
        Assert.Equal($"/api/activities/{activity.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal("call", activity.Str("type"));
        Assert.Equal("Discuss the renewal", activity.Str("subject"));
        Assert.Equal(DateTimeOffset.Parse("2031-01-10T08:00:00Z"), activity.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal(DemoUsers.AliceId, activity.Str("assigneeId"));
        Assert.False(activity.GetProperty("done").GetBoolean());
        Assert.Equal(deal, activity.Id("opportunityId"));

        var forBob = await (await alice.PostAsJsonAsync($"/api/opportunities/{deal}/activities",
            new { type = "meeting", subject = "Demo", assigneeId = DemoUsers.BobId })).ReadAsync<JsonElement>();
        Assert.Equal(DemoUsers.BobId, forBob.Str("assigneeId"));
        Assert.Null(forBob.Str("dueAt"));

        var listed = (await (await alice.GetAsync($"/api/opportunities/{deal}/activities")).ReadAsync<JsonElement>()).Items();
        Assert.Equal([activity.Id(), forBob.Id()], listed.Select(a => a.Id()));
        Assert.Equal("Discuss the renewal", (await (await alice.GetAsync($"/api/activities/{activity.Id()}")).ReadAsync<JsonElement>()).Str("subject"));

        var scheduled = Assert.Single(await service.Events.WaitForAsync("ActivityScheduled", e => e.Guid("activityId") == activity.Id()));
        Assert.Equal(deal, scheduled.Guid("opportunityId"));
        Assert.Equal("call", scheduled.Text("type"));
        Assert.Equal("Discuss the renewal", scheduled.Text("subject"));
        Assert.Equal(DemoUsers.AliceId, scheduled.Text("assigneeId"));
        Assert.Equal(DemoUsers.Acme, scheduled.Guid("organizationId"));
        Assert.Equal(DemoUsers.AliceId, scheduled.Text("actorId"));
    }

    [Fact]
    public async Task Malformed_activities_are_refused_with_400_naming_each_field()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await QuotesTests.NewDealAsync(alice, "Malformed activities");

        var both = await QuotesTests.ErrorsAsync(await alice.PostAsJsonAsync($"/api/opportunities/{deal}/activities", new { type = "lunch", subject = " " }));
        Assert.Equal(["subject", "type"], both.Order());
        Assert.Equal(["type"], await QuotesTests.ErrorsAsync(await alice.PostAsJsonAsync($"/api/opportunities/{deal}/activities", new { subject = "No type" })));
        Assert.Equal(["subject"], await QuotesTests.ErrorsAsync(
            await alice.PostAsJsonAsync($"/api/opportunities/{deal}/activities", new { type = "task", subject = new string('x', 201) })));
        Assert.Equal(["assigneeId"], await QuotesTests.ErrorsAsync(
            await alice.PostAsJsonAsync($"/api/opportunities/{deal}/activities", new { type = "task", subject = "Empty assignee", assigneeId = "" })));

        Assert.Empty((await (await alice.GetAsync($"/api/opportunities/{deal}/activities")).ReadAsync<JsonElement>()).Items());
    }

    [Fact]
    public async Task The_assignee_must_be_an_active_user_of_the_organisation()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await QuotesTests.NewDealAsync(alice, "Who does it");
        var departed = await AddInactiveUserAsync();
        var eveId = await UserIdAsync(DemoUsers.Eve);

        foreach (var assigneeId in new[] { "nobody-we-know", departed, eveId })
        {
            var response = await alice.PostAsJsonAsync($"/api/opportunities/{deal}/activities", new { type = "task", subject = "Prepare", assigneeId });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Contains("assigneeId", await response.Content.ReadAsStringAsync());
        }

        Assert.Empty((await (await alice.GetAsync($"/api/opportunities/{deal}/activities")).ReadAsync<JsonElement>()).Items());
    }

    [Fact]
    public async Task Completing_an_activity_resets_the_stale_clock_without_a_new_version_of_the_deal()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await QuotesTests.NewDealAsync(alice, "Going stale");
        var before = await (await alice.GetAsync($"/api/opportunities/{deal}")).ReadAsync<JsonElement>();
        var activity = await ScheduleAsync(alice, deal, "Check in");

        var done = await (await alice.PostAsync($"/api/activities/{activity}/complete", null)).ReadAsync<JsonElement>();

        Assert.True(done.GetProperty("done").GetBoolean());
        var completedAt = done.GetProperty("completedAt").GetDateTimeOffset();
        var response = await alice.GetAsync($"/api/opportunities/{deal}");
        var after = await response.ReadAsync<JsonElement>();
        Assert.Equal(1, after.Long("version"));
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.True(after.GetProperty("lastActivityAt").GetDateTimeOffset() > before.GetProperty("lastActivityAt").GetDateTimeOffset());
        Assert.Equal(completedAt, after.GetProperty("lastActivityAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(before.Str("updatedAt"), after.Str("updatedAt"));

        // Someone who read version 1 before the call was logged still saves their edit.
        var edit = new HttpRequestMessage(HttpMethod.Patch, $"/api/opportunities/{deal}") { Content = JsonContent.Create(new { amount = 13000 }) };
        edit.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
        Assert.Equal(HttpStatusCode.OK, (await alice.SendAsync(edit)).StatusCode);

        var again = await alice.PostAsync($"/api/activities/{activity}/complete", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        var completed = Assert.Single(await service.Events.WaitForAsync("ActivityCompleted", e => e.Guid("activityId") == activity));
        Assert.Equal(deal, completed.Guid("opportunityId"));
        Assert.Equal(DemoUsers.AliceId, completed.Text("assigneeId"));
        Assert.Equal("task", completed.Text("type"));
        Assert.Equal(completedAt, completed.Message.GetProperty("completedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Completions_racing_on_one_activity_complete_it_once()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await QuotesTests.NewDealAsync(alice, "Double click");
        var activity = await ScheduleAsync(alice, deal, "Log the call");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => alice.PostAsync($"/api/activities/{activity}/complete", null)));

        Assert.Single(outcomes, o => o.StatusCode == HttpStatusCode.OK);
        Assert.Equal(7, outcomes.Count(o => o.StatusCode == HttpStatusCode.UnprocessableEntity));
        Assert.Single(await service.Events.WaitForAsync("ActivityCompleted", e => e.Guid("activityId") == activity));
    }

    [Fact]
    public async Task An_activity_is_completed_by_its_assignee_or_by_whoever_may_change_the_deal()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var bob = await service.ClientAsync(DemoUsers.Bob);
        using var carol = await service.ClientAsync(DemoUsers.Carol);
        using var maria = await service.ClientAsync(DemoUsers.Maria);
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        var deal = await QuotesTests.NewDealAsync(alice, "Shared work");
        var alices = await ScheduleAsync(alice, deal, "Alice's call");
        var bobs = await ScheduleAsync(alice, deal, "Bob's demo", assigneeId: DemoUsers.BobId);
        var carols = await ScheduleAsync(alice, deal, "Carol's review", assigneeId: DemoUsers.CarolId);

        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsync($"/api/activities/{alices}/complete", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.PostAsync($"/api/activities/{alices}/complete", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.PostAsync($"/api/activities/{alices}/complete", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/activities/{alices}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.PostAsync($"/api/activities/{Guid.NewGuid()}/complete", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/activities/{Guid.NewGuid()}")).StatusCode);

        // Carol cannot read the West-team-foreign deal, but her own activity on it is hers to see and finish.
        Assert.Equal(HttpStatusCode.OK, (await carol.GetAsync($"/api/activities/{carols}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.GetAsync($"/api/activities/{bobs}")).StatusCode);
        Assert.True((await (await carol.PostAsync($"/api/activities/{carols}/complete", null)).ReadAsync<JsonElement>()).GetProperty("done").GetBoolean());
        Assert.True((await (await bob.PostAsync($"/api/activities/{bobs}/complete", null)).ReadAsync<JsonElement>()).GetProperty("done").GetBoolean());
        Assert.True((await (await maria.PostAsync($"/api/activities/{alices}/complete", null)).ReadAsync<JsonElement>()).GetProperty("done").GetBoolean());
        Assert.Equal(DemoUsers.MariaId, Assert.Single(await service.Events.WaitForAsync("ActivityCompleted", e => e.Guid("activityId") == alices)).Text("actorId"));
    }

    [Fact]
    public async Task A_deals_activities_are_read_by_whoever_reads_the_deal_and_scheduled_by_whoever_changes_it()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var bob = await service.ClientAsync(DemoUsers.Bob);
        using var carol = await service.ClientAsync(DemoUsers.Carol);
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        var deal = await QuotesTests.NewDealAsync(alice, "Visible work");
        await ScheduleAsync(alice, deal, "Kick-off");
        var request = new { type = "email", subject = "Send the brochure" };

        Assert.Single((await (await bob.GetAsync($"/api/opportunities/{deal}/activities")).ReadAsync<JsonElement>()).Items());
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsJsonAsync($"/api/opportunities/{deal}/activities", request)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.GetAsync($"/api/opportunities/{deal}/activities")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.PostAsJsonAsync($"/api/opportunities/{deal}/activities", request)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/opportunities/{deal}/activities")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.PostAsJsonAsync($"/api/opportunities/{deal}/activities", request)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/opportunities/{Guid.NewGuid()}/activities")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.PostAsJsonAsync($"/api/opportunities/{Guid.NewGuid()}/activities", request)).StatusCode);
        Assert.Single((await (await alice.GetAsync($"/api/opportunities/{deal}/activities")).ReadAsync<JsonElement>()).Items());
    }

    [Fact]
    public async Task My_agenda_shows_open_activities_overdue_today_and_upcoming_in_due_order()
    {
        using var maria = await service.ClientAsync(DemoUsers.Maria);
        var deal = await QuotesTests.NewDealAsync(maria, "Maria's agenda");
        var now = DateTimeOffset.UtcNow;
        // Today is Acme's, in Paris.
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var parisToday = TimeZoneInfo.ConvertTime(now, paris).Date;
        var startOfToday = new DateTimeOffset(parisToday, paris.GetUtcOffset(parisToday));
        var yesterday = await ScheduleAsync(maria, deal, "Yesterday", now.AddDays(-1));
        var earlierToday = await ScheduleAsync(maria, deal, "Earlier today", startOfToday);
        var laterToday = await ScheduleAsync(maria, deal, "Later today", startOfToday.AddDays(1).AddSeconds(-1));
        var nextWeek = await ScheduleAsync(maria, deal, "Next week", now.AddDays(7));
        var someday = await ScheduleAsync(maria, deal, "Someday", dueAt: null);
        var finished = await ScheduleAsync(maria, deal, "Already done", now.AddDays(-2));
        await (await maria.PostAsync($"/api/activities/{finished}/complete", null)).ReadAsync<JsonElement>();

        Assert.Equal([yesterday, earlierToday], await AgendaAsync(maria, deal, "?due=overdue"));
        Assert.Equal([earlierToday, laterToday], await AgendaAsync(maria, deal, "?assignee=me&due=today"));
        Assert.Equal([nextWeek], await AgendaAsync(maria, deal, "?due=upcoming"));
        Assert.Equal([yesterday, earlierToday, laterToday, nextWeek, someday], await AgendaAsync(maria, deal, ""));
        Assert.Equal([yesterday, earlierToday, laterToday, nextWeek, someday], await AgendaAsync(maria, deal, $"?assignee={DemoUsers.MariaId}"));
    }

    [Fact]
    public async Task A_colleagues_agenda_shows_only_activities_on_deals_the_caller_may_read()
    {
        using var maria = await service.ClientAsync(DemoUsers.Maria);
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var carol = await service.ClientAsync(DemoUsers.Carol);
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        var deal = await QuotesTests.NewDealAsync(maria, "East team plans");
        var marias = await ScheduleAsync(maria, deal, "Manager's call", DateTimeOffset.UtcNow.AddDays(1));
        var carols = await ScheduleAsync(maria, deal, "Carol helps out", DateTimeOffset.UtcNow.AddDays(1), DemoUsers.CarolId);

        Assert.Equal([marias], await AgendaAsync(alice, deal, $"?assignee={DemoUsers.MariaId}"));
        Assert.Empty(await AgendaAsync(carol, deal, $"?assignee={DemoUsers.MariaId}"));
        Assert.Equal([carols], await AgendaAsync(carol, deal, "?assignee=me"));
        Assert.Empty(await AgendaAsync(eve, deal, $"?assignee={DemoUsers.MariaId}"));
    }

    [Fact]
    public async Task The_agenda_pages_by_keyset_without_skipping_or_repeating()
    {
        using var bob = await service.ClientAsync(DemoUsers.Bob);
        var deal = await QuotesTests.NewDealAsync(bob, "Bob's busy week");
        var start = DateTimeOffset.UtcNow.AddDays(2);
        var expected = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            expected.Add(await ScheduleAsync(bob, deal, $"Step {i}", start.AddHours(i)));
        }

        // Two at the same instant and one undated: the id breaks the tie, the undated one comes last.
        var tied = new[] { await ScheduleAsync(bob, deal, "Tie A", start.AddHours(3)), await ScheduleAsync(bob, deal, "Tie B", start.AddHours(3)) };
        var undated = await ScheduleAsync(bob, deal, "Whenever", dueAt: null);

        var agenda = await AllPagesAsync(bob, "/api/activities?assignee=me&limit=2", deal);
        var onDeal = await AllPagesAsync(bob, $"/api/opportunities/{deal}/activities?limit=3", deal);

        foreach (var walk in new[] { agenda, onDeal })
        {
            var ids = walk.Select(a => a.Id()).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.Equal(expected.Concat(tied).Append(undated).Order(), ids.Order());
            Assert.Equal(undated, ids[^1]);
            var due = walk.Take(walk.Count - 1).Select(a => a.GetProperty("dueAt").GetDateTimeOffset()).ToList();
            Assert.Equal(due.Order(), due);
        }

        Assert.Equal(agenda.Select(a => a.Id()), onDeal.Select(a => a.Id()));
    }

    [Fact]
    public async Task Bad_list_parameters_are_refused_with_400_naming_each()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await QuotesTests.NewDealAsync(alice, "Bad lists");

        Assert.Equal(["limit"], await QuotesTests.ErrorsAsync(await alice.GetAsync("/api/activities?limit=0")));
        Assert.Equal(["limit"], await QuotesTests.ErrorsAsync(await alice.GetAsync("/api/activities?limit=201")));
        Assert.Equal(["due"], await QuotesTests.ErrorsAsync(await alice.GetAsync("/api/activities?due=yesterday")));
        Assert.Equal(["cursor"], await QuotesTests.ErrorsAsync(await alice.GetAsync("/api/activities?cursor=not-a-cursor")));
        Assert.Equal(["assignee"], await QuotesTests.ErrorsAsync(await alice.GetAsync($"/api/activities?assignee={new string('x', 101)}")));
        Assert.Equal(["cursor", "due", "limit"], (await QuotesTests.ErrorsAsync(await alice.GetAsync("/api/activities?limit=500&due=later&cursor=%25%25"))).Order());
        Assert.Equal(["limit"], await QuotesTests.ErrorsAsync(await alice.GetAsync($"/api/opportunities/{deal}/activities?limit=201")));
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/activities?limit=200&due=today")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/activities?limit=1")).StatusCode);
    }

    [Fact]
    public async Task A_follow_up_command_delivered_twice_or_repeated_creates_one_activity()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await QuotesTests.NewDealAsync(alice, "Automated follow-up");
        var command = FollowUp(DemoUsers.Acme, deal, DemoUsers.AliceId);
        using var consumed = Consumed(command.CorrelationId);

        var bus = service.Services.GetRequiredService<IBus>();
        await bus.Publish(command);
        await bus.Publish(command);                                       // a redelivery: same EventId
        await bus.Publish(command with { EventId = Guid.NewGuid() });     // automation asked again for the same follow-up

        await consumed.WaitForAsync(3);
        var activity = Assert.Single((await (await alice.GetAsync($"/api/opportunities/{deal}/activities")).ReadAsync<JsonElement>()).Items());
        Assert.Equal("task", activity.Str("type"));
        Assert.Equal("Follow up the quote", activity.Str("subject"));
        Assert.Equal(DemoUsers.AliceId, activity.Str("assigneeId"));
        Assert.Equal(command.DueAt, activity.GetProperty("dueAt").GetDateTimeOffset());
        Assert.False(activity.GetProperty("done").GetBoolean());
        var scheduled = Assert.Single(await service.Events.WaitForAsync("ActivityScheduled", e => e.Guid("opportunityId") == deal));
        Assert.Equal(activity.Id(), scheduled.Guid("activityId"));
        Assert.Null(scheduled.Text("actorId"));
        Assert.Contains(activity.Id(), await AgendaAsync(alice, deal, "?due=upcoming"));
    }

    [Fact]
    public async Task A_follow_up_for_an_unknown_deal_or_another_organisations_creates_nothing()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var acmeDeal = await QuotesTests.NewDealAsync(alice, "Not Globex's");
        var unknown = FollowUp(DemoUsers.Acme, Guid.NewGuid(), DemoUsers.AliceId);
        var foreign = FollowUp(DemoUsers.Globex, acmeDeal, DemoUsers.AliceId);
        using var consumedUnknown = Consumed(unknown.CorrelationId);
        using var consumedForeign = Consumed(foreign.CorrelationId);

        var bus = service.Services.GetRequiredService<IBus>();
        await bus.Publish(unknown);
        await bus.Publish(foreign);

        await consumedUnknown.WaitForAsync(1);
        await consumedForeign.WaitForAsync(1);
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
        Assert.Equal(0, await db.Activities.IgnoreQueryFilters().CountAsync(a => a.CorrelationId == unknown.CorrelationId || a.CorrelationId == foreign.CorrelationId));
        Assert.Empty((await (await alice.GetAsync($"/api/opportunities/{acmeDeal}/activities")).ReadAsync<JsonElement>()).Items());
    }

    [Fact]
    public async Task A_follow_up_for_a_user_no_longer_active_goes_to_the_deal_owner()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await QuotesTests.NewDealAsync(alice, "Owner picks it up");
        var command = FollowUp(DemoUsers.Acme, deal, await AddInactiveUserAsync());
        using var consumed = Consumed(command.CorrelationId);

        await service.Services.GetRequiredService<IBus>().Publish(command);

        await consumed.WaitForAsync(1);
        var activity = Assert.Single((await (await alice.GetAsync($"/api/opportunities/{deal}/activities")).ReadAsync<JsonElement>()).Items());
        Assert.Equal(DemoUsers.AliceId, activity.Str("assigneeId"));
    }

    private static CreateFollowUpActivity FollowUp(Guid organization, Guid deal, string assignee) => new()
    {
        OrganizationId = organization, OpportunityId = deal, AssigneeId = assignee, ActivityType = "task", Subject = "Follow up the quote",
        DueAt = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(3).AddHours(9), TimeSpan.Zero), CorrelationId = Guid.NewGuid(),
    };

    /// <summary>Counts the service's consumptions of the follow-up commands of one correlation, duplicates included.</summary>
    private FollowUpsConsumed Consumed(Guid correlationId)
    {
        var observer = new FollowUpsConsumed(correlationId);
        observer.Handle = service.Services.GetRequiredService<IBus>().ConnectConsumeMessageObserver(observer);
        return observer;
    }

    private static async Task<Guid> ScheduleAsync(HttpClient client, Guid deal, string subject, DateTimeOffset? dueAt = default, string? assigneeId = null) =>
        (await (await client.PostAsJsonAsync($"/api/opportunities/{deal}/activities", new { type = "task", subject, dueAt, assigneeId })).ReadAsync<JsonElement>()).Id();

    /// <summary>The ids of the caller's agenda (every page) that belong to <paramref name="deal"/>, in the order listed.</summary>
    private static async Task<Guid[]> AgendaAsync(HttpClient client, Guid deal, string query) =>
        (await AllPagesAsync(client, "/api/activities" + query, deal)).Select(a => a.Id()).ToArray();

    private static async Task<List<JsonElement>> AllPagesAsync(HttpClient client, string url, Guid deal)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var separator = url.Contains('?') ? '&' : '?';
            var page = await (await client.GetAsync(cursor is null ? url : $"{url}{separator}cursor={Uri.EscapeDataString(cursor)}")).ReadAsync<JsonElement>();
            items.AddRange(page.Items().Where(a => a.Id("opportunityId") == deal));
            cursor = page.Str("nextCursor");
        }
        while (cursor is not null);

        return items;
    }

    private async Task<string> AddInactiveUserAsync()
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
        db.Tenant.Use(DemoUsers.Acme);
        var id = $"departed-{Guid.NewGuid():N}";
        db.Directory.Add(new DirectoryUser { UserId = id, Role = "rep", Name = "Former rep", Email = $"{id}@acme.test", TeamId = DemoUsers.East, Active = false });
        await db.SaveChangesAsync();
        return id;
    }

    private async Task<string> UserIdAsync(string email)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
        return await db.Directory.IgnoreQueryFilters().Where(u => u.Email == email).Select(u => u.UserId).SingleAsync();
    }

    private sealed class FollowUpsConsumed(Guid correlationId) : IConsumeMessageObserver<CreateFollowUpActivity>, IDisposable
    {
        private int _count;

        public ConnectHandle? Handle { get; set; }

        public Task WaitForAsync(int count) =>
            Eventually.Until(() => Task.FromResult(Volatile.Read(ref _count) >= count), Patience, $"{count} consumption(s) of follow-up {correlationId}");

        public Task PreConsume(ConsumeContext<CreateFollowUpActivity> context) => Task.CompletedTask;

        public Task PostConsume(ConsumeContext<CreateFollowUpActivity> context)
        {
            if (context.Message.CorrelationId == correlationId)
            {
                Interlocked.Increment(ref _count);
            }

            return Task.CompletedTask;
        }

        public Task ConsumeFault(ConsumeContext<CreateFollowUpActivity> context, Exception exception) => Task.CompletedTask;

        public void Dispose() => Handle?.Disconnect();
    }
}
