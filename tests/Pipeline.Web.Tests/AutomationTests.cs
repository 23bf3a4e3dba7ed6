using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Pipeline.Testing;
using Pipeline.Web.Domain;
using static Microsoft.Playwright.Assertions;
using static Pipeline.Web.Tests.BoardTests;
using RuleResponse = Pipeline.Web.ApiClients.Automation.RuleResponse;
using TriggerBody = Pipeline.Web.ApiClients.Automation.TriggerBody;

namespace Pipeline.Web.Tests;

/// <summary>The automation screens: an admin writes, simulates and saves a rule, a deal's quote runs it, and who may see what.</summary>
[Collection(WebCollection.Name)]
public sealed class AutomationTests(WebSystem web) : BrowserTest(web)
{
    private const string Admin = "admin@acme.test";
    private const string Maria = "maria@acme.test";
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_admin_writes_a_quote_follow_up_simulates_and_saves_it_and_a_quote_sent_on_a_deal_runs_it()
    {
        using var alice = await Web.ApiAsAsync(WebSystem.Alice);
        using var admin = await Web.ApiAsAsync(Admin);
        var marker = Unique("Follow-up");
        // A quote sent earlier, for the simulation to find in the recorded events.
        var earlier = await CreateDealAsync(alice, $"{marker} earlier", 3_000m, null);
        await SendQuoteAsync(alice, earlier, 1_200m);
        // The automation service works through the demo import's events in order: once the seeded "Quote follow-up"
        // has a run for this quote it has caught up, and the quote sent below is handled within seconds.
        await Eventually.Until(async () => (await RunsAsync(admin, null, earlier)).Count > 0, TimeSpan.FromMinutes(5), "the automation service caught up with the import");

        var ruleName = Unique("Quote follow-up");
        var page = await Web.SignInAsync(Admin, path: "/automation/rules/new");
        await Expect(page.Locator(".rule-editor[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(ruleName);
        await ChooseAsync(page, "Trigger", "Quote sent");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a condition" }).ClickAsync();
        await Expect(page.GetByLabel("Condition 1: Comparison")).ToHaveValueAsync("below");
        await page.GetByLabel("Condition 1: Value").FillAsync("5000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a condition" }).ClickAsync();
        await ChooseAsync(page, "Condition 2: Field", "Title");
        await ChooseAsync(page, "Condition 2: Comparison", "contains");
        await page.GetByLabel("Condition 2: Value").FillAsync(marker);
        await Expect(page.GetByTestId("duration").First).ToHaveTextAsync("at once");
        await Expect(page.GetByLabel("Action 1: Do")).ToHaveValueAsync("Create an activity");
        await page.GetByLabel("Action 1: Subject").FillAsync("Follow up the quote");

        await page.GetByRole(AriaRole.Button, new() { Name = "Simulate" }).ClickAsync();
        var simulation = page.GetByTestId("simulation-result");
        // The simulation replays the organisation's whole recorded history (the demo import's thousands of deals).
        await Expect(simulation).ToContainTextAsync("Would have fired 1 time, skipped 0.", new() { Timeout = 120_000 });
        await Expect(simulation.GetByRole(AriaRole.Link, new() { Name = $"{marker} earlier" })).ToHaveAttributeAsync("href", $"/opportunities/{earlier}");
        await Expect(simulation.Locator("[data-status=fired]")).ToHaveTextAsync("Fired");
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "rule-editor.png"), FullPage = true });

        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.EndsWith("/new", StringComparison.Ordinal));
        var ruleId = page.Url.Split('/').Last();
        var rule = await admin.GetFromJsonAsync<JsonElement>($"/api/automation/rules/{ruleId}");
        Assert.Equal("QuoteSent", rule.GetProperty("trigger").GetProperty("type").GetString());
        Assert.Equal(5_000m, rule.GetProperty("conditions")[0].GetProperty("value").GetDecimal());
        Assert.Equal(marker, rule.GetProperty("conditions")[1].GetProperty("value").GetString());
        Assert.Equal("P1D", rule.GetProperty("actions")[0].GetProperty("dueIn").GetString());

        // Alice sends a quote on her deal's page: the rule runs on it.
        var title = $"{marker} live";
        var deal = await CreateDealAsync(alice, title, 3_000m, null);
        var deals = await Web.SignInAsync(WebSystem.Alice, path: $"/opportunities/{deal}");
        await Expect(deals.Locator(".deal-page[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var activities = deals.Locator(".deal-activities");
        await activities.GetByLabel("Amount").FillAsync("1200");
        await activities.GetByRole(AriaRole.Button, new() { Name = "New quote" }).ClickAsync();
        await activities.Locator("li.quote").GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(activities.Locator("li.quote [data-testid=quote-status]")).ToHaveTextAsync("Sent");
        await Eventually.Until(async () => (await RunsAsync(admin, ruleId, deal)).Any(r => r.GetProperty("status").GetString() == "fired"), Live, "the rule fired on the deal");
        await Eventually.Until(async () => (await alice.GetFromJsonAsync<JsonElement>($"/api/opportunities/{deal}/activities")).GetProperty("items").EnumerateArray()
            .Any(a => a.GetProperty("subject").GetString() == "Follow up the quote"), Live, "the follow-up activity is on the deal");

        await page.GotoAsync(new Uri(WebSystem.Address, $"/automation/runs?ruleId={ruleId}").ToString());
        await Expect(page.Locator(".runs[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var run = page.Locator("[data-testid=runs] tbody tr", new() { HasText = title });
        await Expect(run.Locator("[data-status]")).ToHaveTextAsync("Fired");
        await Expect(run.GetByRole(AriaRole.Link, new() { Name = title })).ToHaveAttributeAsync("href", $"/opportunities/{deal}");
        await Expect(page.GetByLabel("Rule", new() { Exact = true })).ToHaveValueAsync(ruleName);
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "automation-runs.png"), FullPage = true });

        await deals.ReloadAsync();
        var automation = deals.Locator(".deal-automation[data-ready=true]");
        await Expect(automation.Locator("tbody tr", new() { HasText = ruleName }).Locator("[data-status]")).ToHaveTextAsync("Fired", new() { Timeout = 30_000 });
        await Expect(deals.Locator(".deal-activities li.activity", new() { HasText = "Follow up the quote" })).ToBeVisibleAsync();

        // Switched off from the list, at once: the rule stops (and leaves the other tests' quotes alone).
        await page.GotoAsync(new Uri(WebSystem.Address, "/automation").ToString());
        await Expect(page.Locator(".rule-table[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var enabled = page.GetByLabel($"Enabled: {ruleName}");
        await Expect(enabled).ToBeCheckedAsync();
        await enabled.ClickAsync();
        await Expect(page.Locator("#mud-snackbar-container").GetByText($"{ruleName} is off.")).ToBeVisibleAsync();
        await Expect(enabled).Not.ToBeCheckedAsync();
        Assert.False((await admin.GetFromJsonAsync<JsonElement>($"/api/automation/rules/{ruleId}")).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task The_apis_messages_about_a_rule_appear_beside_the_fields_at_fault()
    {
        var page = await Web.SignInAsync(Admin, path: "/automation/rules/new");
        await Expect(page.Locator(".rule-editor[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a condition" }).ClickAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(page.GetByTestId("problem")).ToContainTextAsync("The rule cannot be saved as it is");
        await Expect(Field(page, "Name")).ToContainTextAsync("A name of 1 to 100 characters is required.");
        await Expect(Field(page, "Condition 1: Value")).ToContainTextAsync("A value to compare with is required.");
        await Expect(Field(page, "Action 1: Subject")).ToContainTextAsync("A subject of 1 to 200 characters is required.");
        Assert.EndsWith("/automation/rules/new", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manager_reads_the_rules_without_changing_them_and_a_rep_has_no_automation_at_all()
    {
        var maria = await Web.SignInAsync(Maria, path: "/automation");
        var rules = maria.Locator(".rule-table[data-ready=true]");
        await Expect(rules).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var seeded = rules.Locator("tbody tr", new() { HasText = "Negotiation alert" });
        await Expect(seeded).ToContainTextAsync("Stage changed: Any stage → Negotiation & follow-up");
        await Expect(maria.GetByRole(AriaRole.Link, new() { Name = "New rule" })).ToHaveCountAsync(0);
        await Expect(seeded.GetByLabel("Enabled: Negotiation alert")).ToBeDisabledAsync();
        await seeded.GetByRole(AriaRole.Link, new() { Name = "Negotiation alert" }).ClickAsync();
        await Expect(maria.Locator(".rule-editor[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(maria.GetByText("You may read this rule; only admins may change it.")).ToBeVisibleAsync();
        await Expect(maria.GetByRole(AriaRole.Button, new() { Name = "Save" })).ToHaveCountAsync(0);

        var alice = await Web.SignInAsync(WebSystem.Alice);
        await Expect(alice.GetByRole(AriaRole.Link, new() { Name = "Board", Exact = true })).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Link, new() { Name = "Automation" })).ToHaveCountAsync(0);
        await alice.GotoAsync(new Uri(WebSystem.Address, "/automation").ToString());
        await Expect(alice.GetByTestId("refused")).ToHaveTextAsync("You may not see the automation rules: they are for managers and admins.", new() { Timeout = 30_000 });
        await Expect(alice.Locator(".rule-table")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task In_french_the_rules_list_speaks_french()
    {
        var page = await Web.SignInAsync(Admin, locale: "fr-FR", path: "/automation");
        await Expect(page.Locator(".rule-table[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Automatisation", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Nouvelle règle" })).ToBeVisibleAsync();
        await Expect(page.Locator("tbody tr", new() { HasText = "Quote follow-up" })).ToContainTextAsync("Devis envoyé");
    }

    /// <summary>Opens a MudSelect by its label and picks the option with that text.</summary>
    private static async Task ChooseAsync(IPage page, string label, string option)
    {
        await page.GetByLabel(label, new() { Exact = true }).ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(option, new() { Exact = true }).ClickAsync();
        await Expect(page.GetByLabel(label, new() { Exact = true })).ToHaveValueAsync(option);
    }

    /// <summary>The input control (label, field, message under it) of the field labelled <paramref name="label"/>.</summary>
    private static ILocator Field(IPage page, string label) =>
        page.Locator(".mud-input-control", new() { Has = page.GetByLabel(label, new() { Exact = true }) });

    private static async Task SendQuoteAsync(HttpClient api, string deal, decimal amount)
    {
        using var created = await api.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount, currency = "EUR", validUntil = "2031-01-31" });
        created.EnsureSuccessStatusCode();
        var quote = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        (await api.PostAsync($"/api/quotes/{quote}/send", null)).EnsureSuccessStatusCode();
    }

    private static async Task<List<JsonElement>> RunsAsync(HttpClient api, string? ruleId, string deal)
    {
        using var response = await api.GetAsync($"/api/automation/runs?opportunityId={deal}" + (ruleId is null ? "" : $"&ruleId={ruleId}"));
        return response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList()
            : [];
    }
}

/// <summary>The rule editor's conversions, without servers (named to run with the web UI's other logic tests).</summary>
public sealed class AutomationWebLogicTests
{
    [Theory]
    [InlineData(3, 0, 0, "P3D")]
    [InlineData(0, 12, 0, "PT12H")]
    [InlineData(1, 2, 30, "P1DT2H30M")]
    public void A_friendly_delay_is_written_as_an_iso_8601_duration(int days, int hours, int minutes, string iso) =>
        Assert.Equal(iso, new FriendlyDuration { Days = days, Hours = hours, Minutes = minutes }.ToIso());

    [Fact]
    public void No_delay_is_sent_as_none() => Assert.Null(new FriendlyDuration().ToIso());

    [Theory]
    [InlineData("P3D", 3, 0, 0)]
    [InlineData("P1DT12H", 1, 12, 0)]
    [InlineData("PT90M", 0, 1, 30)]
    public void A_rules_delay_reads_as_days_hours_and_minutes(string iso, int days, int hours, int minutes)
    {
        var duration = FriendlyDuration.Parse(iso);
        Assert.Equal((days, hours, minutes), (duration.Days, duration.Hours, duration.Minutes));
    }

    [Fact]
    public void Seconds_a_rule_was_given_elsewhere_survive_an_edit_of_its_minutes()
    {
        var duration = FriendlyDuration.Parse("PT1M5S");
        duration.Minutes = 2;
        Assert.Equal("PT2M5S", duration.ToIso());
    }

    [Fact]
    public void Each_field_offers_only_the_operators_the_api_accepts()
    {
        Assert.DoesNotContain("contains", ConditionDraft.Operators("amount"));
        Assert.DoesNotContain("lt", ConditionDraft.Operators("segment"));
        Assert.Equal(["eq", "ne", "in"], ConditionDraft.Operators("stage"));
        var condition = new ConditionDraft { Field = "amount", Operator = "lt" };
        condition.Field = "segment";
        Assert.Equal("eq", condition.Operator);
    }

    [Fact]
    public void Condition_values_go_to_the_api_as_numbers_texts_and_lists_and_come_back_the_same()
    {
        var draft = RuleDraft.New();
        draft.Name = "Small quotes";
        draft.Conditions.Add(new ConditionDraft { Field = "amount", Operator = "lt", Number = 5_000m });
        draft.Conditions.Add(new ConditionDraft { Field = "segment", Operator = "in", Text = "smb, mid-market" });
        draft.Conditions.Add(new ConditionDraft { Field = "owner", Operator = "eq", Picked = ["3f2c"] });
        draft.Actions[0].Subject = "Follow up";

        var json = JsonSerializer.Serialize(draft.ToBody());

        using var body = JsonDocument.Parse(json);
        var conditions = body.RootElement.GetProperty("conditions");
        Assert.Equal(5_000m, conditions[0].GetProperty("value").GetDecimal());
        Assert.Equal(["smb", "mid-market"], conditions[1].GetProperty("value").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("3f2c", conditions[2].GetProperty("value").GetString());
        var read = JsonSerializer.Deserialize<RuleResponse>(json)!;
        var again = RuleDraft.From(read);
        Assert.Equal(5_000m, again.Conditions[0].Number);
        Assert.Equal("smb, mid-market", again.Conditions[1].Text);
        Assert.Equal(["3f2c"], again.Conditions[2].Picked);
    }

    [Fact]
    public void The_apis_messages_are_found_by_the_field_they_name_whether_saved_or_simulated()
    {
        var problems = new RuleProblems(new Dictionary<string, List<string>>
        {
            ["rule.conditions[0].value"] = ["A value to compare with is required."],
            ["actions[0].recipients[1]"] = ["No active user x in the organisation."],
            ["conditions"] = ["At most 20 conditions."],
        });

        Assert.Equal("A value to compare with is required.", problems.Of("conditions[0].value"));
        Assert.Equal("No active user x in the organisation.", problems.Of("actions[0].recipients"));
        Assert.Equal("At most 20 conditions.", problems.Of("conditions"));
        Assert.Null(problems.Of("name"));
    }

    [Fact]
    public void A_trigger_reads_in_the_users_words() =>
        Assert.Equal("Decision date in 7 days", RuleTexts.Trigger(new TriggerBody { Type = "DecisionDateApproaching", DaysBefore = 7 }, id => id ?? ""));
}
