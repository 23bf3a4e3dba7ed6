namespace Pipeline.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class SecurityHeadersTests(WebSystem web) : BrowserTest(web)
{
    [Fact]
    public async Task Every_page_carries_a_strict_content_security_policy_and_the_session_cookie_is_http_only()
    {
        using var home = await Web.Gateway.GetAsync("/");
        var policy = string.Join(";", home.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("script-src 'self'", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.Equal("nosniff", home.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", home.Headers.GetValues("Referrer-Policy").Single());

        var page = await Web.SignInAsync(WebSystem.Alice);
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "pipeline.web");
        Assert.True(session.HttpOnly);
        Assert.Equal(Microsoft.Playwright.SameSiteAttribute.Lax, session.SameSite);
        // Only a key: the tokens stay on the server.
        Assert.True(session.Value.Length < 1_000, "the session cookie carries the tokens");
    }
}
