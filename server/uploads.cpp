#include "uploads.h"

#include "util/privatefiles.h"
#include "workflow/workflow.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace cityops::platform {

namespace {

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly) || f.size() > 1 << 20)
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

bool writeJson(const QString &path, const QJsonDocument &doc)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write(doc.toJson(QJsonDocument::Compact));
    if (!f.commit())
        return false;
    return PrivateFiles::restrictFile(path);
}

QString ledgerPath(const QString &dir)
{
    return QDir(dir).filePath(QStringLiteral("ledger.json"));
}

} // namespace

Uploads::Uploads(QString dataDir, UploadLimits limits, std::function<qint64()> clock,
                 QObject *parent)
    : QObject(parent), m_root(QDir(dataDir).filePath(QStringLiteral("uploads"))), m_limits(limits),
      m_clock(std::move(clock))
{
    if (QFileInfo(m_root).isDir())
        (void)PrivateFiles::makeDir(m_root); // an older build's folder becomes private
    sweep();
    // Expired parts go away within a quarter of the expiry (at most every 10 minutes).
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, [this] { sweep(); });
    timer->start(int(std::clamp<qint64>(m_limits.expirySeconds * 250, 1000, 10 * 60 * 1000)));
}

bool Uploads::mayUpload(Role role)
{
    // The actions whose commands carry new evidence (workflow.cpp: report and every action that
    // needs photo evidence); escalation requests only point at evidence the case already has.
    for (Action a : {Action::Report, Action::Feedback, Action::VerifyPass, Action::VerifyFail,
                     Action::Notice, Action::RecheckCorrected, Action::RecheckUncorrected}) {
        if (Workflow::rolesFor(a).contains(role))
            return true;
    }
    return false;
}

QString Uploads::ownerDir(const QString &user) const
{
    // The name never reaches the file system as typed: a hash of it names the folder.
    const QByteArray key =
        QCryptographicHash::hash(user.toUtf8(), QCryptographicHash::Sha256).toHex().left(32);
    return QDir(m_root).filePath(QString::fromLatin1(key));
}

QString Uploads::partPath(const QString &user, const QString &sha) const
{
    return QDir(ownerDir(user)).filePath(sha + QStringLiteral(".part"));
}

qint64 Uploads::expiresAt(const UploadSession &s) const
{
    return s.updated + m_limits.expirySeconds * 1000;
}

std::optional<UploadSession> Uploads::session(const QString &user, const QString &sha) const
{
    const QJsonObject o = readJson(QDir(ownerDir(user)).filePath(sha + QStringLiteral(".json")));
    if (o.isEmpty() || o.value(QLatin1String("user")).toString() != user)
        return std::nullopt;
    UploadSession s;
    s.user = user;
    s.sha = sha;
    s.total = o.value(QLatin1String("total")).toInteger();
    s.created = o.value(QLatin1String("created")).toInteger();
    s.updated = o.value(QLatin1String("updated")).toInteger();
    s.mime = o.value(QLatin1String("mime")).toString().toLatin1();
    if (expiresAt(s) <= now())
        return std::nullopt;
    s.received = QFileInfo(partPath(user, sha)).size();
    return s;
}

bool Uploads::save(const UploadSession &s)
{
    const QString dir = ownerDir(s.user);
    if (!PrivateFiles::makeDir(m_root) || !PrivateFiles::makeDir(dir))
        return false;
    if (!PrivateFiles::createFile(partPath(s.user, s.sha)))
        return false;
    return writeJson(
        QDir(dir).filePath(s.sha + QStringLiteral(".json")),
        QJsonDocument(QJsonObject{{QLatin1String("user"), s.user},
                                  {QLatin1String("sha256"), s.sha},
                                  {QLatin1String("total"), s.total},
                                  {QLatin1String("created"), s.created},
                                  {QLatin1String("updated"), s.updated},
                                  {QLatin1String("mime"), QString::fromLatin1(s.mime)}}));
}

void Uploads::remove(const QString &user, const QString &sha)
{
    QFile::remove(partPath(user, sha));
    QFile::remove(QDir(ownerDir(user)).filePath(sha + QStringLiteral(".json")));
}

qint64 Uploads::used(const QString &user) const
{
    const QString dir = ownerDir(user);
    qint64 sum = 0;
    const QDir d(dir);
    for (const QString &name : d.entryList({QStringLiteral("*.json")}, QDir::Files)) {
        if (name == QLatin1String("ledger.json"))
            continue;
        if (const auto s = session(user, name.chopped(5)))
            sum += std::max(s->total, s->received);
    }
    const qint64 since = m_limits.quotaWindowSeconds > 0
                             ? now() - m_limits.quotaWindowSeconds * 1000
                             : std::numeric_limits<qint64>::min();
    for (const QJsonValue &v : readJson(ledgerPath(dir)).value(QLatin1String("stored")).toArray()) {
        const QJsonObject e = v.toObject();
        if (e.value(QLatin1String("at")).toInteger() > since)
            sum += e.value(QLatin1String("size")).toInteger();
    }
    return sum;
}

void Uploads::recordStored(const QString &user, const QString &sha, qint64 size)
{
    const QString dir = ownerDir(user);
    if (!PrivateFiles::makeDir(m_root) || !PrivateFiles::makeDir(dir))
        return;
    QJsonObject ledger = readJson(ledgerPath(dir));
    QJsonArray stored = ledger.value(QLatin1String("stored")).toArray();
    stored.append(QJsonObject{{QLatin1String("sha256"), sha},
                              {QLatin1String("size"), size},
                              {QLatin1String("at"), now()}});
    ledger.insert(QLatin1String("user"), user);
    ledger.insert(QLatin1String("stored"), stored);
    (void)writeJson(ledgerPath(dir), QJsonDocument(ledger));
}

bool Uploads::storedBy(const QString &user, const QString &sha) const
{
    const QJsonArray stored =
        readJson(ledgerPath(ownerDir(user))).value(QLatin1String("stored")).toArray();
    return std::any_of(stored.begin(), stored.end(), [&](const QJsonValue &v) {
        return v.toObject().value(QLatin1String("sha256")).toString() == sha;
    });
}

int Uploads::sweep()
{
    const QDir root(m_root);
    if (!root.exists())
        return 0;
    const qint64 t = now();
    // Files without a description age by their modification time, on the real clock.
    const qint64 wall = QDateTime::currentMSecsSinceEpoch();
    const qint64 expiryMs = m_limits.expirySeconds * 1000;
    int removed = 0;
    // Leftovers of older builds (uploads shared by hash) and of interrupted writes.
    for (const QFileInfo &fi : root.entryInfoList(QDir::Files | QDir::Hidden)) {
        if (fi.lastModified().toMSecsSinceEpoch() + expiryMs <= wall &&
            QFile::remove(fi.filePath()))
            ++removed;
    }
    for (const QFileInfo &owner : root.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QDir dir(owner.filePath());
        // <sha>.part before <sha>.json, so that a part is judged by its description.
        for (const QFileInfo &fi :
             dir.entryInfoList(QDir::Files | QDir::Hidden, QDir::Name | QDir::Reversed)) {
            const QString name = fi.fileName();
            if (name == QLatin1String("ledger.json")) {
                if (m_limits.quotaWindowSeconds <= 0)
                    continue;
                QJsonObject ledger = readJson(fi.filePath());
                QJsonArray kept;
                const qint64 since = t - m_limits.quotaWindowSeconds * 1000;
                for (const QJsonValue &v : ledger.value(QLatin1String("stored")).toArray()) {
                    if (v.toObject().value(QLatin1String("at")).toInteger() > since)
                        kept.append(v);
                }
                if (kept.isEmpty())
                    QFile::remove(fi.filePath());
                else if (kept.size() != ledger.value(QLatin1String("stored")).toArray().size()) {
                    ledger.insert(QLatin1String("stored"), kept);
                    (void)writeJson(fi.filePath(), QJsonDocument(ledger));
                }
                continue;
            }
            // A part follows its description; one without a description is a leftover.
            QString meta;
            if (name.endsWith(QLatin1String(".json")))
                meta = fi.filePath();
            else if (name.endsWith(QLatin1String(".part")))
                meta = dir.filePath(name.chopped(5) + QStringLiteral(".json"));
            const qint64 updated =
                meta.isEmpty() ? 0 : readJson(meta).value(QLatin1String("updated")).toInteger();
            const bool expired = updated > 0
                                     ? updated + expiryMs <= t
                                     : fi.lastModified().toMSecsSinceEpoch() + expiryMs <= wall;
            if (expired && QFile::remove(fi.filePath()))
                ++removed;
        }
        (void)root.rmdir(owner.fileName()); // only when empty
    }
    return removed;
}

} // namespace cityops::platform
