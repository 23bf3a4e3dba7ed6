using Microsoft.EntityFrameworkCore;
using Pipeline.Messaging.Organizations;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Import;

/// <summary>
/// What rows are resolved against, loaded once per import: the organisation's pipelines and their stages (by
/// name), its users (by e-mail, from the local directory), its currency, and who imports.
/// </summary>
public sealed class ImportReferences
{
    private readonly Dictionary<string, List<SalesPipeline>> _pipelines;
    private readonly Dictionary<Guid, Dictionary<string, Stage>> _stages;
    private readonly Dictionary<string, DirectoryUser> _users;

    private ImportReferences(IReadOnlyList<SalesPipeline> pipelines, IEnumerable<DirectoryUser> users)
    {
        DefaultPipeline = pipelines.Single(p => p.IsDefault);
        _pipelines = pipelines.GroupBy(p => p.Name.Trim(), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.OrdinalIgnoreCase);
        _stages = pipelines.ToDictionary(p => p.Id, p => p.OrderedStages
            .GroupBy(s => s.Name.Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase));
        _users = users.GroupBy(u => u.Email.Trim().ToLowerInvariant()).ToDictionary(g => g.Key, g => g.OrderByDescending(u => u.Active).First());
    }

    public SalesPipeline DefaultPipeline { get; }

    public required string OrganizationCurrency { get; init; }

    public required string ImporterId { get; init; }

    public Guid? ImporterTeam { get; init; }

    /// <summary>The import's "now": rows without a creation date are created then; no date may lie after it.</summary>
    public required DateTimeOffset Now { get; init; }

    public static async Task<ImportReferences> LoadAsync(
        OpportunityDbContext db, PipelineCatalog catalog, string importerId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pipelines = await catalog.AllAsync(cancellationToken);
        var users = await db.Directory.AsNoTracking().ToListAsync(cancellationToken);
        var currency = (await OrganizationProfiles.CurrentAsync(db, cancellationToken)).Currency;
        return new ImportReferences(pipelines, users)
        {
            OrganizationCurrency = currency.Trim(),
            ImporterId = importerId,
            ImporterTeam = users.SingleOrDefault(u => u.UserId == importerId)?.TeamId,
            Now = now,
        };
    }

    /// <summary>The pipeline named so; an error message when there is none or several.</summary>
    public (SalesPipeline? Pipeline, string? Error) Pipeline(string name)
    {
        if (name.Length == 0)
        {
            return (DefaultPipeline, null);
        }

        return _pipelines.TryGetValue(name, out var found) switch
        {
            false => (null, $"no pipeline named '{name}'"),
            true when found.Count > 1 => (null, $"{found.Count} pipelines are named '{name}'; rename one of them"),
            _ => (found[0], null),
        };
    }

    public Stage? Stage(SalesPipeline pipeline, string name) => _stages[pipeline.Id].GetValueOrDefault(name);

    public DirectoryUser? User(string email) => _users.GetValueOrDefault(email.ToLowerInvariant());
}
