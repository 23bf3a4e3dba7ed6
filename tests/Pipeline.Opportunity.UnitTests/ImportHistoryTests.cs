using System.Globalization;
using Pipeline.Opportunity.DemoData;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Import;

namespace Pipeline.Opportunity.UnitTests;

public sealed class ImportHistoryTests
{
    private static readonly SalesPipeline Pipeline = SalesPipeline.Default(Guid.NewGuid(), DateTimeOffset.UtcNow);
    private static readonly DateTimeOffset Created = At("2026-01-05T09:00:00Z");

    [Fact]
    public void A_deal_with_a_stage_history_starts_in_the_first_stage_and_its_first_decision_date_is_the_one_it_was_created_with()
    {
        var history = Read("""
            [{ "at": "2026-01-05T09:00:00Z", "decisionDate": "2026-03-31" }, { "at": "2026-01-20T09:00:00Z", "stage": "Proposal" },
             { "at": "2026-02-01T09:00:00Z", "decisionDate": "2026-04-30" }]
            """, "Proposal", new DateOnly(2026, 4, 30), out var errors);

        Assert.Empty(errors);
        Assert.Equal("Qualification", ImportHistory.CreatedIn(history, Pipeline, Created, Stage("Proposal")).Name);
        Assert.Equal(new DateOnly(2026, 3, 31), ImportHistory.CreatedWithDecision(history, Created, new DateOnly(2026, 4, 30)));
    }

    [Fact]
    public void Without_a_history_a_deal_is_created_as_the_row_says()
    {
        var history = Read("", "Proposal", new DateOnly(2026, 4, 30), out var errors);
        Assert.Empty(errors);
        Assert.Equal("Proposal", ImportHistory.CreatedIn(history, Pipeline, Created, Stage("Proposal")).Name);
        Assert.Equal(new DateOnly(2026, 4, 30), ImportHistory.CreatedWithDecision(history, Created, new DateOnly(2026, 4, 30)));
    }

    [Theory]
    [InlineData("""[{ "at": "2026-01-04T09:00:00Z", "stage": "Proposal" }]""", "step 1: before the deal was created")]
    [InlineData("""[{ "at": "2026-02-04T09:00:00Z", "stage": "Proposal" }, { "at": "2026-01-10T09:00:00Z", "stage": "Proposal" }]""", "step 2: out of time order")]
    [InlineData("""[{ "at": "2026-01-06T09:00:00Z", "stage": "Discovery meeting" }]""", "is not the row's stage ('Proposal')")]
    [InlineData("""[{ "at": "2026-01-06T09:00:00Z" }]""", "step 1: exactly one of")]
    [InlineData("""[{ "at": "2026-01-06T09:00:00Z", "quote": { "amount": 10, "answer": "maybe", "answeredAt": "2026-01-07T00:00:00Z" } }]""", "step 1: a quote's answer")]
    [InlineData("""[{ "at": "2026-01-06T09:00:00Z", "activity": { "type": "lunch", "subject": "x" } }]""", "step 1: an activity has a type")]
    [InlineData("""[{ "at": "2026-01-06T09:00:00Z", "stage": "Proposal", "extra": 1 }]""", "not a JSON array of steps")]
    public void A_history_that_does_not_fit_its_deal_is_refused_naming_the_step(string json, string message)
    {
        Read(json, "Proposal", null, out var errors);
        Assert.Contains(errors, e => e.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void The_demo_deals_are_the_same_file_every_time_for_the_same_moment()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, DemoDeals.Folder);
        var now = At("2026-12-04T18:00:00Z");
        var first = Path.GetTempFileName();
        var second = Path.GetTempFileName();
        try
        {
            DemoDeals.WriteNativeCsv(folder, DemoDeals.Globex, now, first);
            DemoDeals.WriteNativeCsv(folder, DemoDeals.Globex, now, second);
            Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
            Assert.Equal(881, File.ReadAllLines(first).Length);
        }
        finally
        {
            File.Delete(first);
            File.Delete(second);
        }
    }

    private static IReadOnlyList<HistoryStep> Read(string json, string stage, DateOnly? decision, out List<string> errors)
    {
        var problems = new List<string>();
        var history = ImportHistory.Read(json, Pipeline, Stage(stage), decision, "EUR", Created, At("2026-06-01T00:00:00Z"), problems.Add);
        errors = problems;
        return history;
    }

    private static Stage Stage(string name) => Pipeline.OrderedStages.Single(s => s.Name == name);

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
}
