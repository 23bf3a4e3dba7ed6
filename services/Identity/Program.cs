using Pipeline.Identity;
using Pipeline.Identity.Infrastructure;
using Pipeline.Messaging;
using Pipeline.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIdentityService();

var app = builder.Build();
app.UseServiceDefaults();
app.MapIdentityApi();

await app.RunServiceAsync<IdentityDbContext>(args);
