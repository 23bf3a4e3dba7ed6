using System.Text.RegularExpressions;
using Pipeline.Web.ApiClients;

namespace Pipeline.Web.Domain;

/// <summary>
/// The automation API's field messages for a rule (400 and 422), found by the path the API names them with
/// ("conditions[0].value", "actions[1].recipients[0]"); a simulation's are the same prefixed "rule.".
/// </summary>
public sealed class RuleProblems
{
    private readonly Dictionary<string, List<string>> _fields;

    public RuleProblems(IDictionary<string, List<string>> fields) =>
        _fields = fields.ToDictionary(f => f.Key.StartsWith("rule.", StringComparison.Ordinal) ? f.Key["rule.".Length..] : f.Key, f => f.Value);

    public static RuleProblems None { get; } = new(new Dictionary<string, List<string>>());

    public static RuleProblems Of(IApiProblem exception) => new(Problems.Fields(exception));

    public bool Any => _fields.Count > 0;

    /// <summary>
    /// The messages about <paramref name="path"/> and about its elements ("recipients" takes "recipients[0]", but
    /// "conditions" not "conditions[0].value", which its own field shows); null when none.
    /// </summary>
    public string? Of(string path)
    {
        var element = new Regex("^" + Regex.Escape(path) + @"\[\d+\]$");
        var messages = _fields.Where(f => f.Key == path || element.IsMatch(f.Key)).SelectMany(f => f.Value).ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }
}
