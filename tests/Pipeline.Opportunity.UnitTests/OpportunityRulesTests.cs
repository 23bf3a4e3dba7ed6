using Pipeline.Opportunity.Domain;

namespace Pipeline.Opportunity.UnitTests;

public sealed class OpportunityRulesTests
{
    private static readonly SalesPipeline Pipeline = SalesPipeline.Default(Guid.NewGuid(), DateTimeOffset.UtcNow);

    [Theory]
    [InlineData("open", false)]
    [InlineData("WON", true)]
    [InlineData(" lost ", true)]
    public void A_status_is_read_from_its_name_whatever_the_case(string text, bool closed)
    {
        Assert.True(OpportunityStatus.TryParse(text, out var status));
        Assert.Equal(closed, status.IsClosed);
        Assert.Equal(text.Trim().ToLowerInvariant(), status.ToString());
    }

    [Fact]
    public void An_unknown_status_is_no_status()
    {
        Assert.False(OpportunityStatus.TryParse("pending", out _));
        Assert.Throws<FormatException>(() => OpportunityStatus.Parse("pending"));
    }

    [Fact]
    public void An_open_deal_may_move_change_close_and_take_quotes_but_not_be_reopened()
    {
        var deal = Deal(OpportunityStatus.Open);
        Assert.Null(deal.CannotMove());
        Assert.Null(deal.CannotChangeFigures());
        Assert.Null(deal.CannotClose());
        Assert.Null(deal.CannotQuote("sent"));
        Assert.Equal("The opportunity is already open.", deal.CannotReopen());
    }

    [Fact]
    public void A_won_deal_says_why_it_may_not_move_change_close_or_take_quotes_until_reopened()
    {
        var deal = Deal(OpportunityStatus.Won);
        Assert.Equal("The opportunity is won: reopen it before moving it.", deal.CannotMove());
        Assert.Equal("The opportunity is won: reopen it before changing it.", deal.CannotChangeFigures());
        Assert.Equal("The opportunity is already won.", deal.CannotClose());
        Assert.Equal("The opportunity is won: quotes are made on open deals only.", deal.CannotQuote("made"));
        Assert.Null(deal.CannotReopen());
    }

    [Fact]
    public void A_reopened_deal_goes_back_to_the_stage_it_closed_in_or_to_the_first_one_if_that_stage_is_gone()
    {
        var proposal = Pipeline.OrderedStages.Single(s => s.Name == "Proposal");
        var deal = Deal(OpportunityStatus.Lost, proposal.Id);
        Assert.Equal(proposal.Id, deal.ReopenedIn(Pipeline).Id);

        deal.StageId = Guid.NewGuid();
        Assert.Equal("Qualification", deal.ReopenedIn(Pipeline).Name);
    }

    private static Domain.Opportunity Deal(OpportunityStatus status, Guid? stage = null) => new()
    {
        Title = "Fleet renewal", OwnerId = "alice", Currency = "EUR", Status = status, StageId = stage ?? Pipeline.OrderedStages.First().Id,
    };
}
