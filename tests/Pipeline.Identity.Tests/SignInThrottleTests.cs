using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Identity.Tests;

[Collection(IdentityCollection.Name)]
public sealed class SignInThrottleTests(IdentityFixture identity)
{
    [Fact]
    public async Task A_paused_user_name_is_answered_429_with_the_seconds_to_wait_in_Retry_After()
    {
        using var http = new HttpClient { BaseAddress = identity.Issuer.Address };
        var login = $"guess-{Guid.NewGuid():N}@acme.test";
        HttpResponseMessage response;
        var attempts = 0;
        do
        {
            response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password", ["client_id"] = "pipeline-cli", ["username"] = login, ["password"] = "wrong", ["scope"] = "pipeline-api",
            }));
        }
        while (response.StatusCode != HttpStatusCode.TooManyRequests && ++attempts < 10);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(6, attempts + 1);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalMinutes, 14, 15);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)retryAfter.Value.TotalSeconds, problem.GetProperty("retryAfterSeconds").GetInt32());
    }
}
