#include "adapter/store/sql.h"

#include <charconv>

namespace workwell::store {

const std::string& SqlRows::Text(size_t row, size_t col) const {
  static const std::string kEmpty;
  const auto& cell = cells_[row * columns_ + col];
  return cell ? *cell : kEmpty;
}

int64_t SqlRows::Int(size_t row, size_t col) const {
  const std::string& t = Text(row, col);
  int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

ConnectionPool::ConnectionPool(ConnectionFactory factory, size_t max_size)
    : factory_(std::move(factory)), max_size_(max_size == 0 ? 1 : max_size) {}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (pool_ != nullptr && conn_ != nullptr) pool_->Release(std::move(conn_));
    pool_ = other.pool_;
    conn_ = std::move(other.conn_);
    other.pool_ = nullptr;
  }
  return *this;
}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->Release(std::move(conn_));
}

StoreResult<ConnectionPool::Lease> ConnectionPool::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_size_; });
  if (!idle_.empty()) {
    std::unique_ptr<SqlConnection> conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }
  ++open_;
  lock.unlock();
  auto made = factory_();
  if (!made.ok()) {
    lock.lock();
    --open_;
    cv_.notify_one();
    return made.status();
  }
  return Lease(this, std::move(made).value());
}

void ConnectionPool::Release(std::unique_ptr<SqlConnection> conn) {
  std::lock_guard lock(mu_);
  if (conn->healthy()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  cv_.notify_one();
}

}  // namespace workwell::store
