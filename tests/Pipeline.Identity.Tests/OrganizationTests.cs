using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Identity.Tests;

/// <summary>SPEC §5 <c>GET|PUT /api/organization</c> and the <c>OrganizationChanged</c> event every service follows.</summary>
[Collection(IdentityCollection.Name)]
public sealed class OrganizationTests(IdentityFixture identity)
{
    [Fact]
    public async Task Every_member_reads_the_settings_of_their_own_organisation()
    {
        using var alice = await identity.Issuer.ClientAsync(DemoUsers.Alice);
        using var eve = await identity.Issuer.ClientAsync(DemoUsers.Eve);

        var acme = await alice.GetAsync("/api/organization");
        var settings = await acme.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, acme.StatusCode);
        Assert.Equal(DemoUsers.Acme, settings.GetProperty("id").GetGuid());
        Assert.Equal("EUR", settings.GetProperty("currency").GetString());
        Assert.Equal("Europe/Paris", settings.GetProperty("timeZone").GetString());
        Assert.Equal($"\"{settings.GetProperty("version").GetInt64()}\"", acme.Headers.ETag?.Tag);

        var globex = await eve.GetFromJsonAsync<JsonElement>("/api/organization");
        Assert.Equal(DemoUsers.Globex, globex.GetProperty("id").GetGuid());
        Assert.Equal("USD", globex.GetProperty("currency").GetString());
        Assert.Equal("America/New_York", globex.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task At_each_release_every_organisation_is_published_with_its_settings()
    {
        var published = await identity.Events.WaitForAsync("OrganizationChanged", count: 2);
        Assert.Contains(published, e => e.Guid("organizationId") == DemoUsers.Acme && e.Text("currency") == "EUR" && e.Text("timeZone") == "Europe/Paris");
        Assert.Contains(published, e => e.Guid("organizationId") == DemoUsers.Globex && e.Text("currency") == "USD" && e.Text("timeZone") == "America/New_York");
    }

    [Fact]
    public async Task Only_an_admin_changes_the_settings_and_bad_values_are_named()
    {
        using var maria = await identity.Issuer.ClientAsync(DemoUsers.Maria);
        using var admin = await identity.Issuer.ClientAsync(DemoUsers.AcmeAdmin);
        var valid = new { name = "Acme", currency = "EUR", timeZone = "Europe/Paris", fiscalYearStartMonth = 1 };
        Assert.Equal(HttpStatusCode.Forbidden, (await maria.PutAsJsonAsync("/api/organization", valid)).StatusCode);

        var bad = await admin.PutAsJsonAsync("/api/organization", new { name = "", currency = "EURO", timeZone = "Paris", fiscalYearStartMonth = 13 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["currency", "fiscalYearStartMonth", "name", "timeZone"], errors.EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task A_change_is_published_for_every_service_and_a_stale_write_is_refused()
    {
        using var eve = await identity.Issuer.ClientAsync(DemoUsers.Eve);
        var before = await eve.GetAsync("/api/organization");
        var etag = before.Headers.ETag!;
        var version = (await before.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64();

        using var change = new HttpRequestMessage(HttpMethod.Put, "/api/organization")
        {
            Content = JsonContent.Create(new { name = "Globex", currency = "USD", timeZone = "America/New_York", fiscalYearStartMonth = 4 }),
        };
        change.Headers.IfMatch.Add(etag);
        var changed = await eve.SendAsync(change);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(version + 1, (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64());
        await identity.Events.WaitForAsync("OrganizationChanged",
            e => e.Guid("organizationId") == DemoUsers.Globex && e.Long("version") == version + 1 && e.Long("fiscalYearStartMonth") == 4);

        // A second admin still holding the first version would overwrite the fiscal year without knowing it.
        using var stale = new HttpRequestMessage(HttpMethod.Put, "/api/organization")
        {
            Content = JsonContent.Create(new { name = "Globex", currency = "USD", timeZone = "America/New_York", fiscalYearStartMonth = 1 }),
        };
        stale.Headers.IfMatch.Add(etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await eve.SendAsync(stale)).StatusCode);

        // Acme, the other organisation, is untouched.
        using var alice = await identity.Issuer.ClientAsync(DemoUsers.Alice);
        Assert.Equal(1, (await alice.GetFromJsonAsync<JsonElement>("/api/organization")).GetProperty("fiscalYearStartMonth").GetInt32());
    }
}
