using Pipeline.Testing;

namespace Pipeline.Identity.Tests;

[Collection(IdentityCollection.Name)]
public sealed class OpenApiDocumentTests(IdentityFixture identity)
{
    [Fact]
    public async Task Every_route_documents_its_answers_and_the_web_client_was_generated_from_this_document()
    {
        using var client = new HttpClient { BaseAddress = identity.Issuer.Address };
        var document = await OpenApiDocuments.FetchAsync(client);

        Assert.Empty(OpenApiDocuments.UndocumentedResponses(document));
        Assert.NotNull(document["paths"]!["/api/organization"]!["put"]!["responses"]!["412"]);
        OpenApiDocuments.AssertClientCopyMatches("identity", document);
    }
}
