using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VPNLens.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class LifecycleLeasesAndQueueOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "QueueSequence",
                table: "Runs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Endpoint",
                table: "Nodes",
                type: "TEXT",
                maxLength: 100,
                nullable: false,
                defaultValue: "control-plane");

            migrationBuilder.CreateTable(
                name: "RunLeases",
                columns: table => new
                {
                    Resource = table.Column<string>(type: "TEXT", maxLength: 160, nullable: false),
                    RunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TakenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunLeases", x => x.Resource);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Runs_QueueSequence",
                table: "Runs",
                column: "QueueSequence",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RunLeases_ExpiresAt",
                table: "RunLeases",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_RunLeases_RunId",
                table: "RunLeases",
                column: "RunId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RunLeases");

            migrationBuilder.DropIndex(
                name: "IX_Runs_QueueSequence",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "QueueSequence",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "Endpoint",
                table: "Nodes");
        }
    }
}
