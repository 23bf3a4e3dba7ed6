namespace Pipeline.Web.ApiClients
{
    /// <summary>
    /// What every generated client's ApiException has in common: each client (one per service) generates its own
    /// exception type, and the pages show any service's problem details the same way (Domain/Problems.cs).
    /// </summary>
    public interface IApiProblem
    {
        int StatusCode { get; }

        string? Response { get; }
    }
}

namespace Pipeline.Web.ApiClients.Opportunity
{
    public partial class ApiException : IApiProblem;
}

namespace Pipeline.Web.ApiClients.Identity
{
    public partial class ApiException : IApiProblem;
}

namespace Pipeline.Web.ApiClients.Automation
{
    public partial class ApiException : IApiProblem;
}

namespace Pipeline.Web.ApiClients.Notification
{
    public partial class ApiException : IApiProblem;
}

namespace Pipeline.Web.ApiClients.Reporting
{
    public partial class ApiException : IApiProblem;
}
