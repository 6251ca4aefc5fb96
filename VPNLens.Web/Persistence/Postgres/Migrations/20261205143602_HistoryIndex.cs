using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VPNLens.Web.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class HistoryIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Runs_NodeId",
                table: "Runs");

            migrationBuilder.CreateIndex(
                name: "IX_Runs_NodeId_FinishedAt_State_Protocols_Id",
                table: "Runs",
                columns: new[] { "NodeId", "FinishedAt", "State", "Protocols", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Runs_NodeId_FinishedAt_State_Protocols_Id",
                table: "Runs");

            migrationBuilder.CreateIndex(
                name: "IX_Runs_NodeId",
                table: "Runs",
                column: "NodeId");
        }
    }
}
