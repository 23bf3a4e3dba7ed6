using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Pipeline.EndToEnd.Tests;

/// <summary>SPEC §1 from the outside: real tokens, roles, and one organisation never touching another's data.</summary>
[Collection(PipelineCollection.Name)]
public sealed class SecurityTests(PipelineApp pipeline)
{
    private static readonly Guid Acme = new("a0000000-0000-0000-0000-000000000001");
    private static readonly Guid Alice = new("a0000000-0000-0000-0000-00000000a001");

    private HttpClient Gateway => pipeline.Gateway;

    public static TheoryData<ForgedTokens.Kind> BadTokens => new(Enum.GetValues<ForgedTokens.Kind>());

    [Fact]
    public async Task A_demo_user_signs_in_and_gets_a_token_describing_who_they_are()
    {
        var token = new JsonWebToken(await pipeline.Tokens.ForAsync(Tokens.Alice));

        Assert.Equal(ForgedTokens.Issuer, token.Issuer);
        Assert.Contains("pipeline-api", token.Audiences);
        Assert.Equal(Alice.ToString(), token.Subject);
        Assert.Equal("Alice Martin", token.GetClaim("name").Value);
        Assert.Equal(Tokens.Alice, token.GetClaim("email").Value);
        Assert.Equal(Acme.ToString(), token.GetClaim("org").Value);
        Assert.Equal("a0000000-0000-0000-0000-0000000000e1", token.GetClaim("team").Value);
        Assert.Equal("rep", token.GetClaim("role").Value);

        var me = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Get, "/api/identity/me", Tokens.Alice));
        Assert.Equal("Alice Martin", (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_wrong_password_is_an_invalid_grant_that_does_not_say_whether_the_user_exists()
    {
        var wrongPassword = await pipeline.Tokens.RequestAsync("carol@acme.test", "not-her-password");
        var unknownUser = await pipeline.Tokens.RequestAsync("nobody@acme.test", "whatever-password");

        var bodies = new List<JsonElement>();
        foreach (var response in new[] { wrongPassword, unknownUser })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
            bodies.Add(body);
        }

        Assert.Equal(bodies[0].GetProperty("error_description").GetString(), bodies[1].GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Repeated_failed_sign_ins_pause_the_user_name_even_for_the_right_password()
    {
        // A user of this test's own: locking a demo user would lock the other tests out.
        var email = $"target-{Guid.NewGuid():N}@acme.test";
        var created = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Post, "/api/users", Tokens.AcmeAdmin,
            new { email, name = "Throttle Target", role = "rep", password = "correct-horse-battery" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await pipeline.Tokens.RequestAsync(email, $"guess-{attempt}")).StatusCode);
        }

        var locked = await pipeline.Tokens.RequestAsync(email, "correct-horse-battery");
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal("application/problem+json", locked.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_gets_401_problem_details_at_the_gateway_and_from_every_service_called_directly(ForgedTokens.Kind kind)
    {
        var token = await new ForgedTokens(pipeline).CreateAsync(kind);
        foreach (var service in PipelineApp.Services)
        {
            var route = $"/api/{service}/diagnostics/probes/{Guid.NewGuid()}";
            using var direct = pipeline.Direct(service);
            foreach (var (client, where) in new[] { (Gateway, "gateway"), (direct, service) })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, route);
                if (token is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{kind} token at {where} for {service}: {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
    }

    [Fact]
    public async Task Another_organisations_records_are_not_found_on_every_service()
    {
        var probeId = await Probes.SendAsync(pipeline, ResourceNames.Opportunity, Tokens.AcmeAdmin);
        foreach (var service in PipelineApp.Services)
        {
            await Probes.WaitUntilReceivedAsync(pipeline, service, probeId, Tokens.AcmeAdmin);

            var read = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Get, $"/api/{service}/diagnostics/probes/{probeId}", Tokens.Eve));
            var change = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Delete, $"/api/{service}/diagnostics/probes/{probeId}", Tokens.Eve));
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, change.StatusCode);

            // Still there for its own organisation.
            var own = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Get, $"/api/{service}/diagnostics/probes/{probeId}", Tokens.AcmeAdmin));
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        // And a real record of the directory: Alice, seen from Globex.
        var alice = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Get, $"/api/users/{Alice}", Tokens.Eve));
        var renamed = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Put, $"/api/users/{Alice}", Tokens.Eve, new { name = "Hacked" }));
        Assert.Equal(HttpStatusCode.NotFound, alice.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, renamed.StatusCode);
        var unchanged = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Get, $"/api/users/{Alice}", Tokens.Maria));
        Assert.Equal("Alice Martin", (await unchanged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task An_organisation_id_in_a_request_body_is_ignored()
    {
        var globex = "b0000000-0000-0000-0000-000000000001";
        var email = $"smuggled-{Guid.NewGuid():N}@acme.test";
        var created = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Post, "/api/users", Tokens.AcmeAdmin,
            new { email, name = "Smuggled", role = "rep", organizationId = globex }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.OK, (await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Get, $"/api/users/{id}", Tokens.Maria))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Get, $"/api/users/{id}", Tokens.Eve))).StatusCode);
    }

    [Fact]
    public async Task Only_admins_change_the_directory()
    {
        var byRep = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Post, "/api/teams", Tokens.Alice, new { name = "Rogue" }));
        var byManager = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Post, "/api/teams", Tokens.Maria, new { name = "Rogue" }));
        Assert.Equal(HttpStatusCode.Forbidden, byRep.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byManager.StatusCode);
        Assert.Equal("application/problem+json", byRep.Content.Headers.ContentType?.MediaType);

        var invalid = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Post, "/api/users", Tokens.AcmeAdmin,
            new { email = "not-an-email", name = "", role = "boss" }));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("email", out _) && errors.TryGetProperty("name", out _) && errors.TryGetProperty("role", out _));
    }

    [Fact]
    public async Task An_api_client_registered_by_an_admin_calls_the_api_with_client_credentials()
    {
        var registered = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Post, "/api/clients", Tokens.AcmeAdmin,
            new { name = "Nightly ERP sync", role = "manager" }));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var client = await registered.Content.ReadFromJsonAsync<JsonElement>();

        var tokenResponse = await Gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = client.GetProperty("clientId").GetString()!,
            ["client_secret"] = client.GetProperty("clientSecret").GetString()!,
            ["scope"] = "pipeline-api",
        }));
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        Assert.Equal(Acme.ToString(), new JsonWebToken(token).GetClaim("org").Value);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var users = await Gateway.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        Assert.Contains((await users.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray(), u => u.GetProperty("email").GetString() == Tokens.Alice);
    }
}
