using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.Testing;

namespace Pipeline.Opportunity.Tests;

/// <summary>A deal's quotes: drafted with the organisation's next number, sent, answered or left to expire.</summary>
[Collection(OpportunityCollection.Name)]
public sealed partial class QuotesTests(OpportunityServiceFixture service)
{
    /// <summary>Acme's date (Paris), which quote validity follows; UTC's differs around midnight.</summary>
    private static readonly DateOnly Today = TodayIn("Europe/Paris");

    [Fact]
    public async Task A_quote_is_drafted_with_the_next_number_of_the_organisation_and_listed_on_its_deal()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await NewDealAsync(alice, "Quoted deal");

        var response = await alice.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount = 1200.50m, currency = "EUR", validUntil = "2031-01-31" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var quote = await response.ReadAsync<JsonElement>();
        Assert.Equal($"/api/quotes/{quote.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal("draft", quote.Str("status"));
        Assert.Matches(QuoteNumber(), quote.Str("number"));
        Assert.Equal(1200.50m, quote.Dec("amount"));
        Assert.Equal("EUR", quote.Str("currency"));
        Assert.Equal("2031-01-31", quote.Str("validUntil"));
        Assert.Null(quote.Str("sentAt"));
        Assert.Equal(deal, quote.Id("opportunityId"));
        Assert.NotNull(quote.Str("createdAt"));

        var second = await (await alice.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount = 900, currency = "USD" })).ReadAsync<JsonElement>();
        Assert.Equal(Number(quote) + 1, Number(second));
        Assert.Null(second.Str("validUntil"));

        var read = await (await alice.GetAsync($"/api/quotes/{quote.Id()}")).ReadAsync<JsonElement>();
        Assert.Equal(quote.Str("number"), read.Str("number"));
        Assert.Equal(1200.50m, read.Dec("amount"));
        var listed = await (await alice.GetAsync($"/api/opportunities/{deal}/quotes")).ReadAsync<JsonElement[]>();
        Assert.Equal([quote.Str("number"), second.Str("number")], listed.Select(q => q.Str("number")));
    }

    [Fact]
    public async Task Each_organisation_counts_its_own_quote_numbers()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        var acmeDeal = await NewDealAsync(alice, "Acme numbering");
        var globexDeal = await NewDealAsync(eve, "Globex numbering", "USD");

        var acmeFirst = await DraftAsync(alice, acmeDeal);
        var globexFirst = await DraftAsync(eve, globexDeal);
        var acmeSecond = await DraftAsync(alice, acmeDeal);
        var globexSecond = await DraftAsync(eve, globexDeal);

        Assert.Equal(Number(acmeFirst) + 1, Number(acmeSecond));
        Assert.Equal(Number(globexFirst) + 1, Number(globexSecond));
    }

    [Fact]
    public async Task Twenty_quotes_drafted_at_once_get_distinct_consecutive_numbers()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await NewDealAsync(alice, "Busy quoting day");

        var responses = await Task.WhenAll(Enumerable.Range(1, 20).Select(i =>
            alice.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount = 100 * i, currency = "EUR" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var numbers = (await Task.WhenAll(responses.Select(r => r.ReadAsync<JsonElement>()))).Select(Number).Order().ToArray();
        Assert.Equal(Enumerable.Range((int)numbers[0], 20).Select(n => (long)n), numbers);
        var listed = await (await alice.GetAsync($"/api/opportunities/{deal}/quotes")).ReadAsync<JsonElement[]>();
        Assert.Equal(20, listed.Select(q => q.Str("number")).Distinct().Count());
    }

    [Fact]
    public async Task Sending_a_draft_marks_it_sent_and_publishes_QuoteSent_with_the_owner_team_and_contact()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await NewDealAsync(alice, "Quote to send");
        var draft = await DraftAsync(alice, deal, amount: 4800, validUntil: Today.AddDays(30));

        var sent = await (await alice.PostAsync($"/api/quotes/{draft.Id()}/send", null)).ReadAsync<JsonElement>();

        Assert.Equal("sent", sent.Str("status"));
        Assert.NotNull(sent.Str("sentAt"));
        var published = Assert.Single(await service.Events.WaitForAsync("QuoteSent", e => e.Guid("quoteId") == draft.Id()));
        Assert.Equal(draft.Str("number"), published.Text("quoteNumber"));
        Assert.Equal(deal, published.Guid("opportunityId"));
        // MassTransit's serializer writes decimals as JSON strings, exactly.
        Assert.Equal(4800m, decimal.Parse(published.Text("amount")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("EUR", published.Text("currency"));
        Assert.Equal(Today.AddDays(30).ToString("yyyy-MM-dd"), published.Text("validUntil"));
        Assert.Equal(DemoUsers.AliceId, published.Text("ownerId"));
        Assert.Equal(DemoUsers.East, published.Guid("teamId"));
        Assert.Equal("peter@initech.test", published.Text("contactEmail"));
        Assert.Equal(DemoUsers.Acme, published.Guid("organizationId"));
        Assert.Equal(DemoUsers.AliceId, published.Text("actorId"));
    }

    [Fact]
    public async Task A_sent_quote_is_accepted_once_and_publishes_QuoteAccepted()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var quote = await SentQuoteAsync(alice, await NewDealAsync(alice, "Accepted quote"));

        var accepted = await (await alice.PostAsync($"/api/quotes/{quote}/accept", null)).ReadAsync<JsonElement>();

        Assert.Equal("accepted", accepted.Str("status"));
        Assert.NotNull(accepted.Str("answeredAt"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await alice.PostAsync($"/api/quotes/{quote}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await alice.PostAsJsonAsync($"/api/quotes/{quote}/decline", new { reason = "Changed our mind" })).StatusCode);
        var published = Assert.Single(await service.Events.WaitForAsync("QuoteAccepted", e => e.Guid("quoteId") == quote));
        Assert.Equal(accepted.Str("number"), published.Text("quoteNumber"));
        Assert.Equal(DemoUsers.Acme, published.Guid("organizationId"));
    }

    [Fact]
    public async Task A_sent_quote_is_declined_with_or_without_a_reason_and_publishes_QuoteDeclined()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await NewDealAsync(alice, "Declined quotes");
        var withReason = await SentQuoteAsync(alice, deal);
        var withoutReason = await SentQuoteAsync(alice, deal);

        var declined = await (await alice.PostAsJsonAsync($"/api/quotes/{withReason}/decline", new { reason = "  Too expensive  " })).ReadAsync<JsonElement>();
        var silent = await (await alice.PostAsync($"/api/quotes/{withoutReason}/decline", null)).ReadAsync<JsonElement>();

        Assert.Equal("declined", declined.Str("status"));
        Assert.Equal("Too expensive", declined.Str("declineReason"));
        Assert.Equal("declined", silent.Str("status"));
        Assert.Null(silent.Str("declineReason"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await alice.PostAsync($"/api/quotes/{withReason}/accept", null)).StatusCode);
        var published = Assert.Single(await service.Events.WaitForAsync("QuoteDeclined", e => e.Guid("quoteId") == withReason));
        Assert.Equal("Too expensive", published.Text("reason"));
        Assert.Single(await service.Events.WaitForAsync("QuoteDeclined", e => e.Guid("quoteId") == withoutReason));
    }

    [Fact]
    public async Task Answers_racing_on_one_quote_record_exactly_one_of_them()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var quote = await SentQuoteAsync(alice, await NewDealAsync(alice, "Racing answers"));

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => i % 2 == 0
            ? alice.PostAsync($"/api/quotes/{quote}/accept", null)
            : alice.PostAsJsonAsync($"/api/quotes/{quote}/decline", new { reason = "Race" })));

        var recorded = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a != recorded), a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Conflict, HttpStatusCode.UnprocessableEntity }));
        var status = (await recorded.ReadAsync<JsonElement>()).Str("status");
        Assert.Equal(status, (await (await alice.GetAsync($"/api/quotes/{quote}")).ReadAsync<JsonElement>()).Str("status"));
        var answered = await service.Events.WaitForAsync(status == "accepted" ? "QuoteAccepted" : "QuoteDeclined", e => e.Guid("quoteId") == quote);
        Assert.Single(answered);
        Assert.Empty(service.Events.Of(status == "accepted" ? "QuoteDeclined" : "QuoteAccepted", e => e.Guid("quoteId") == quote));
    }

    [Fact]
    public async Task A_quote_never_sent_cannot_be_answered_and_a_quote_is_sent_only_once()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var draft = await DraftAsync(alice, await NewDealAsync(alice, "Out of order"));

        var accept = await alice.PostAsync($"/api/quotes/{draft.Id()}/accept", null);
        var decline = await alice.PostAsJsonAsync($"/api/quotes/{draft.Id()}/decline", new { reason = "No" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, accept.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, decline.StatusCode);
        Assert.Contains("never sent", await accept.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/quotes/{draft.Id()}/send", null)).StatusCode);
        var again = await alice.PostAsync($"/api/quotes/{draft.Id()}/send", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        Assert.Single(await service.Events.WaitForAsync("QuoteSent", e => e.Guid("quoteId") == draft.Id()));
        Assert.Equal("sent", (await (await alice.GetAsync($"/api/quotes/{draft.Id()}")).ReadAsync<JsonElement>()).Str("status"));
    }

    [Fact]
    public async Task Quotes_cannot_be_drafted_or_sent_on_a_won_or_lost_deal()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var won = await NewDealAsync(alice, "Won before sending");
        var draft = await DraftAsync(alice, won);
        await (await alice.PostAsync($"/api/opportunities/{won}/win", null)).ReadAsync<JsonElement>();
        var lost = await NewDealAsync(alice, "Lost before quoting");
        await (await alice.PostAsJsonAsync($"/api/opportunities/{lost}/lose", new { reason = "No budget" })).ReadAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await alice.PostAsync($"/api/quotes/{draft.Id()}/send", null)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await alice.PostAsJsonAsync($"/api/opportunities/{won}/quotes", new { amount = 10, currency = "EUR" })).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await alice.PostAsJsonAsync($"/api/opportunities/{lost}/quotes", new { amount = 10, currency = "EUR" })).StatusCode);
        Assert.Equal("draft", (await (await alice.GetAsync($"/api/quotes/{draft.Id()}")).ReadAsync<JsonElement>()).Str("status"));
    }

    [Fact]
    public async Task Malformed_quotes_are_refused_with_400_naming_each_field()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await NewDealAsync(alice, "Malformed quotes");
        var yesterday = Today.AddDays(-1).ToString("yyyy-MM-dd");

        var all = await alice.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount = -1, currency = "EURO", validUntil = yesterday });
        Assert.Equal(HttpStatusCode.BadRequest, all.StatusCode);
        Assert.Equal(["amount", "currency", "validUntil"], (await ErrorsAsync(all)).Order());

        Assert.Equal(["amount"], await ErrorsAsync(await alice.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount = 10.005m, currency = "EUR" })));
        Assert.Equal(["amount"], await ErrorsAsync(await alice.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { currency = "EUR" })));
        Assert.Equal(["currency"], await ErrorsAsync(await alice.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount = 10, currency = "ABC" })));
        Assert.Equal(["currency"], await ErrorsAsync(await alice.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount = 10 })));
        var unreadableDate = await alice.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount = 10, currency = "EUR", validUntil = "31/01/2031" });
        Assert.Equal(HttpStatusCode.BadRequest, unreadableDate.StatusCode);

        var valid = await alice.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount = 0, currency = "JPY", validUntil = Today.ToString("yyyy-MM-dd") });
        Assert.Equal(HttpStatusCode.Created, valid.StatusCode);

        var sent = await SentQuoteAsync(alice, deal);
        var longReason = await alice.PostAsJsonAsync($"/api/quotes/{sent}/decline", new { reason = new string('x', 501) });
        Assert.Equal(["reason"], await ErrorsAsync(longReason));
        Assert.Equal(HttpStatusCode.BadRequest, longReason.StatusCode);
        Assert.Equal(1, (await (await alice.GetAsync($"/api/opportunities/{deal}/quotes")).ReadAsync<JsonElement[]>()).Count(q => q.Str("status") == "sent"));
    }

    [Fact]
    public async Task Quotes_are_read_by_whoever_reads_the_deal_and_changed_by_whoever_changes_it()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var bob = await service.ClientAsync(DemoUsers.Bob);
        using var carol = await service.ClientAsync(DemoUsers.Carol);
        using var maria = await service.ClientAsync(DemoUsers.Maria);
        var deal = await NewDealAsync(alice, "Team quotes");
        var draft = await DraftAsync(alice, deal);

        // Bob, Alice's teammate, reads her deal's quotes but does not make or send them.
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/api/quotes/{draft.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/api/opportunities/{deal}/quotes")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount = 1, currency = "EUR" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsync($"/api/quotes/{draft.Id()}/send", null)).StatusCode);

        // Carol, of another team, does not even read them.
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.GetAsync($"/api/quotes/{draft.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.GetAsync($"/api/opportunities/{deal}/quotes")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.PostAsync($"/api/quotes/{draft.Id()}/accept", null)).StatusCode);

        // Maria, the team's manager, works the team's deals.
        Assert.Equal(HttpStatusCode.Created, (await maria.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount = 1, currency = "EUR" })).StatusCode);
        Assert.Equal("sent", (await (await maria.PostAsync($"/api/quotes/{draft.Id()}/send", null)).ReadAsync<JsonElement>()).Str("status"));
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsync($"/api/quotes/{draft.Id()}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsJsonAsync($"/api/quotes/{draft.Id()}/decline", new { reason = "x" })).StatusCode);
        Assert.Equal("sent", (await (await alice.GetAsync($"/api/quotes/{draft.Id()}")).ReadAsync<JsonElement>()).Str("status"));
    }

    [Fact]
    public async Task Another_organisations_quotes_and_unknown_ones_are_not_found()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        var deal = await NewDealAsync(alice, "Acme secret");
        var draft = await DraftAsync(alice, deal);

        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/quotes/{draft.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/opportunities/{deal}/quotes")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount = 1, currency = "USD" })).StatusCode);
        foreach (var step in new[] { "send", "accept", "decline" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await eve.PostAsync($"/api/quotes/{draft.Id()}/{step}", null)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await alice.PostAsync($"/api/quotes/{Guid.NewGuid()}/{step}", null)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/quotes/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/opportunities/{Guid.NewGuid()}/quotes")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.PostAsJsonAsync($"/api/opportunities/{Guid.NewGuid()}/quotes", new { amount = 1, currency = "EUR" })).StatusCode);
        Assert.Equal("draft", (await (await alice.GetAsync($"/api/quotes/{draft.Id()}")).ReadAsync<JsonElement>()).Str("status"));
    }

    [Fact]
    public async Task A_quote_past_its_validity_cannot_be_sent_or_accepted_any_more()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await NewDealAsync(alice, "Lapsed offers");
        var draft = await DraftAsync(alice, deal, validUntil: Today);
        var sent = await SentQuoteAsync(alice, deal);
        await SetValidUntilAsync(Today.AddDays(-1), draft.Id(), sent);

        var send = await alice.PostAsync($"/api/quotes/{draft.Id()}/send", null);
        var accept = await alice.PostAsync($"/api/quotes/{sent}/accept", null);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, send.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, accept.StatusCode);
        Assert.Contains("validUntil", await accept.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_expiry_expires_sent_quotes_past_their_validity_in_every_organisation_and_publishes_QuoteExpired()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        var acmeDeal = await NewDealAsync(alice, "Expiring at Acme");
        var globexDeal = await NewDealAsync(eve, "Expiring at Globex", "USD");
        var acmeLapsed = await SentQuoteAsync(alice, acmeDeal);
        var globexLapsed = await SentQuoteAsync(eve, globexDeal);
        var validToday = await SentQuoteAsync(alice, acmeDeal);
        var lapsedDraft = await DraftAsync(alice, acmeDeal);
        await SetValidUntilAsync(Today.AddDays(-1), acmeLapsed, lapsedDraft.Id());
        await SetValidUntilAsync(TodayIn("America/New_York").AddDays(-1), globexLapsed);
        await SetValidUntilAsync(Today, validToday);

        var expired = await Expiry().ExpireLapsedQuotesAsync(CancellationToken.None);

        Assert.Contains(acmeLapsed, expired);
        Assert.Contains(globexLapsed, expired);
        Assert.DoesNotContain(validToday, expired);
        Assert.DoesNotContain(lapsedDraft.Id(), expired);
        Assert.Equal("expired", (await (await alice.GetAsync($"/api/quotes/{acmeLapsed}")).ReadAsync<JsonElement>()).Str("status"));
        Assert.Equal("expired", (await (await eve.GetAsync($"/api/quotes/{globexLapsed}")).ReadAsync<JsonElement>()).Str("status"));
        Assert.Equal("sent", (await (await alice.GetAsync($"/api/quotes/{validToday}")).ReadAsync<JsonElement>()).Str("status"));
        Assert.Equal("draft", (await (await alice.GetAsync($"/api/quotes/{lapsedDraft.Id()}")).ReadAsync<JsonElement>()).Str("status"));

        var atAcme = Assert.Single(await service.Events.WaitForAsync("QuoteExpired", e => e.Guid("quoteId") == acmeLapsed));
        Assert.Equal(DemoUsers.Acme, atAcme.Guid("organizationId"));
        Assert.Equal(acmeDeal, atAcme.Guid("opportunityId"));
        var atGlobex = Assert.Single(await service.Events.WaitForAsync("QuoteExpired", e => e.Guid("quoteId") == globexLapsed));
        Assert.Equal(DemoUsers.Globex, atGlobex.Guid("organizationId"));
        Assert.Null(atGlobex.Text("actorId"));

        // An expired quote stays expired: no answer, and the next sweep leaves it alone.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await alice.PostAsync($"/api/quotes/{acmeLapsed}/accept", null)).StatusCode);
        Assert.DoesNotContain(acmeLapsed, await Expiry().ExpireLapsedQuotesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Two_replicas_sweeping_at_the_same_moment_expire_each_quote_exactly_once()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await NewDealAsync(alice, "Many lapsed quotes");
        var quotes = new List<Guid>();
        for (var i = 0; i < 12; i++)
        {
            quotes.Add(await SentQuoteAsync(alice, deal));
        }

        await SetValidUntilAsync(Today.AddDays(-3), [.. quotes]);
        var replicaA = ActivatorUtilities.CreateInstance<QuoteExpiry>(service.Services);
        var replicaB = ActivatorUtilities.CreateInstance<QuoteExpiry>(service.Services);

        var sweeps = await Task.WhenAll(replicaA.ExpireLapsedQuotesAsync(CancellationToken.None), replicaB.ExpireLapsedQuotesAsync(CancellationToken.None));

        Assert.Empty(sweeps[0].Intersect(sweeps[1]));
        Assert.Subset(sweeps[0].Concat(sweeps[1]).ToHashSet(), quotes.ToHashSet());
        var events = await service.Events.WaitForAsync("QuoteExpired", e => quotes.Contains(e.Guid("quoteId")), count: quotes.Count);
        Assert.Equal(quotes.Order(), events.Select(e => e.Guid("quoteId")).Order());
    }

    private QuoteExpiry Expiry() => service.Services.GetRequiredService<QuoteExpiry>();

    /// <summary>Time passing, as the database sees it: the quotes' validity ends on <paramref name="validUntil"/>.</summary>
    private async Task SetValidUntilAsync(DateOnly validUntil, params Guid[] quotes)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
        var changed = await db.Database.ExecuteSqlInterpolatedAsync($"UPDATE quotes SET valid_until = {validUntil} WHERE id = ANY({quotes})");
        Assert.Equal(quotes.Length, changed);
    }

    internal static async Task<Guid> NewDealAsync(HttpClient client, string title, string currency = "EUR") =>
        (await (await client.PostAsJsonAsync("/api/opportunities", OpportunityLifecycleTests.NewDeal(title, currency: currency))).ReadAsync<JsonElement>()).Id();

    private static async Task<JsonElement> DraftAsync(HttpClient client, Guid deal, decimal amount = 2500, DateOnly? validUntil = null) =>
        await (await client.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new
        {
            amount, currency = "EUR", validUntil = (validUntil ?? Today.AddDays(14)).ToString("yyyy-MM-dd"),
        })).ReadAsync<JsonElement>();

    private static async Task<Guid> SentQuoteAsync(HttpClient client, Guid deal)
    {
        var draft = await DraftAsync(client, deal);
        await (await client.PostAsync($"/api/quotes/{draft.Id()}/send", null)).ReadAsync<JsonElement>();
        return draft.Id();
    }

    private static long Number(JsonElement quote) => long.Parse(quote.Str("number")!["Q-".Length..]);

    internal static async Task<string[]> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToArray();
    }

    [GeneratedRegex("^Q-[0-9]{6}$")]
    private static partial Regex QuoteNumber();

    private static DateOnly TodayIn(string timeZone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById(timeZone)).DateTime);
}
