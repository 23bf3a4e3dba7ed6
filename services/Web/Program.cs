using Pipeline.ServiceDefaults;
using Pipeline.Web;
using Pipeline.Web.Components;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddWebSignIn();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();

var app = builder.Build();
app.UseServiceDefaults();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapWebSignIn();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
