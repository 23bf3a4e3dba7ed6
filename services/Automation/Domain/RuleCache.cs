using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Pipeline.Automation.Infrastructure;

namespace Pipeline.Automation.Domain;

/// <summary>An organisation's enabled rules, by the trigger type they react to.</summary>
public sealed class RuleSet(IReadOnlyList<ActiveRule> rules)
{
    private readonly Dictionary<string, ActiveRule[]> _byTrigger = rules
        .GroupBy(r => r.Definition.Trigger.Type).ToDictionary(g => g.Key, g => g.ToArray());

    public static readonly RuleSet Empty = new([]);

    public IReadOnlyList<ActiveRule> All { get; } = rules;

    public IReadOnlyList<ActiveRule> For(string triggerType) => _byTrigger.TryGetValue(triggerType, out var matching) ? matching : [];
}

/// <summary>
/// Keeps each organisation's enabled rules in memory, so an event does not read and parse them again: one small
/// query tells whether they changed. Every change of a rule (created, edited, disabled, deleted) gives it a new,
/// higher revision from one sequence, so the sum of the organisation's revisions changes with any committed change,
/// in whatever order concurrent changes commit, on every replica.
/// </summary>
public sealed class RuleCache
{
    private readonly ConcurrentDictionary<Guid, (decimal Stamp, RuleSet Rules)> _rules = new();

    public async Task<RuleSet> ForAsync(AutomationDbContext db, Guid organizationId, CancellationToken cancellationToken)
    {
        var stamp = await db.Rules.SumAsync(r => (decimal)r.Revision, cancellationToken);
        if (_rules.TryGetValue(organizationId, out var cached) && cached.Stamp == stamp)
        {
            return cached.Rules;
        }

        var rules = await db.Rules.AsNoTracking()
            .Where(r => r.Enabled && r.DeletedAt == null)
            .OrderBy(r => r.CreatedAt)
            .ToListAsync(cancellationToken);
        var set = new RuleSet(rules.Select(ActiveRule.Of).ToList());
        _rules[organizationId] = (stamp, set);
        return set;
    }
}
